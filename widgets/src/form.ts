/**
 * A form generated from a template's declared parameters, with inline validation.
 */
import { Widget } from '@lumino/widgets';

import { IParameter, ITemplate } from './api';

export interface IFormOptions {
  /** Values to start from instead of the defaults (e.g. a notebook's own parameters). */
  initial?: Record<string, any>;
  /** Let the user pick a file on the server; resolves with its path, or null. */
  browse?: (current: string) => Promise<string | null>;
}

interface IField {
  param: IParameter;
  read: () => any;
  error: HTMLElement;
}

/**
 * The body of the template dialog: one row per parameter (label, input, help, error).
 */
export class ParameterForm extends Widget {
  constructor(
    readonly template: ITemplate,
    options: IFormOptions = {}
  ) {
    super();
    this.addClass('jp-SalesOps-form');
    const intro = document.createElement('p');
    intro.className = 'jp-SalesOps-description';
    intro.textContent = template.description;
    this.node.appendChild(intro);
    if (template.parameters.length === 0) {
      const none = document.createElement('p');
      none.textContent = 'This template takes no parameters.';
      this.node.appendChild(none);
    }
    for (const param of template.parameters) {
      const start =
        options.initial && param.name in options.initial
          ? options.initial[param.name]
          : param.default;
      this._fields.push(this._row(param, start, options.browse));
    }
  }

  /**
   * The values that differ from the defaults, or null when a field is invalid (its
   * message is then shown under it).
   */
  values(): Record<string, any> | null {
    const values: Record<string, any> = {};
    let valid = true;
    for (const field of this._fields) {
      if (!this._check(field)) {
        valid = false;
        continue;
      }
      const value = field.read();
      if (JSON.stringify(value) !== JSON.stringify(field.param.default)) {
        values[field.param.name] = value;
      }
    }
    return valid ? values : null;
  }

  private _row(
    param: IParameter,
    start: any,
    browse?: (current: string) => Promise<string | null>
  ): IField {
    const row = document.createElement('div');
    row.className = 'jp-SalesOps-field';
    row.dataset.param = param.name;
    const label = document.createElement('label');
    label.className = 'jp-SalesOps-label';
    label.textContent = param.name;
    const id = `salesops-${this.template.name}-${param.name}`;
    label.htmlFor = id;
    row.appendChild(label);

    const holder = document.createElement('div');
    holder.className = 'jp-SalesOps-input';
    row.appendChild(holder);
    const read = this._input(param, start, id, holder, browse);

    const help = document.createElement('div');
    help.className = 'jp-SalesOps-help';
    help.textContent = param.help;
    row.appendChild(help);
    const error = document.createElement('div');
    error.className = 'jp-SalesOps-error';
    error.setAttribute('role', 'alert');
    row.appendChild(error);
    this.node.appendChild(row);
    const field = { param, read, error };
    // tell what is wrong while the user types (the dialog also disables its buttons
    // while an input is invalid)
    const check = () => this._check(field);
    row.addEventListener('input', check);
    row.addEventListener('change', check);
    return field;
  }

  /** Show the field's problem under it; true when its value is fine. */
  private _check(field: IField): boolean {
    try {
      field.read();
      field.error.textContent = '';
      return true;
    } catch (error) {
      field.error.textContent = (error as Error).message;
      return false;
    }
  }

  private _input(
    param: IParameter,
    start: any,
    id: string,
    holder: HTMLElement,
    browse?: (current: string) => Promise<string | null>
  ): () => any {
    switch (param.widget) {
      case 'bool': {
        const box = document.createElement('input');
        box.type = 'checkbox';
        box.id = id;
        box.checked = Boolean(start);
        holder.appendChild(box);
        return () => box.checked;
      }
      case 'choice': {
        const select = document.createElement('select');
        select.id = id;
        select.className = 'jp-mod-styled';
        for (const choice of param.choices ?? []) {
          const option = document.createElement('option');
          option.value = choice;
          option.textContent = choice;
          select.appendChild(option);
        }
        select.value = String(start);
        holder.appendChild(select);
        return () => select.value;
      }
      case 'number': {
        const input = this._text(id, holder, start === null ? '' : String(start));
        input.type = 'number';
        input.step = param.type === 'int' ? '1' : 'any';
        return () => readNumber(input.value, param);
      }
      case 'json': {
        const area = document.createElement('textarea');
        area.id = id;
        area.className = 'jp-mod-styled';
        area.rows = 2;
        area.value = JSON.stringify(start);
        holder.appendChild(area);
        return () => readJson(area.value, param);
      }
      case 'path': {
        const input = this._text(id, holder, start ?? '');
        input.placeholder = 'a file in this JupyterLab (empty: built-in sample)';
        if (browse) {
          const button = document.createElement('button');
          button.type = 'button';
          button.className = 'jp-Button jp-mod-styled jp-SalesOps-browse';
          button.textContent = 'Browse…';
          button.onclick = async () => {
            const picked = await browse(input.value);
            if (picked !== null) {
              input.value = picked;
            }
          };
          holder.appendChild(button);
        }
        return () => input.value.trim();
      }
      default: {
        const input = this._text(id, holder, start === null ? '' : String(start));
        return () =>
          input.value === '' && param.default === null ? null : input.value;
      }
    }
  }

  private _text(id: string, holder: HTMLElement, value: string): HTMLInputElement {
    const input = document.createElement('input');
    input.type = 'text';
    input.id = id;
    input.className = 'jp-mod-styled';
    input.value = value;
    holder.appendChild(input);
    return input;
  }

  private _fields: IField[] = [];
}

function readNumber(text: string, param: IParameter): number | null {
  const trimmed = text.trim();
  if (trimmed === '') {
    if (param.default === null) {
      return null;
    }
    throw new Error(`Enter a ${param.type === 'int' ? 'whole number' : 'number'}.`);
  }
  const value = Number(trimmed);
  if (!Number.isFinite(value)) {
    throw new Error(`"${trimmed}" is not a number.`);
  }
  if (param.type === 'int' && !Number.isInteger(value)) {
    throw new Error(`Enter a whole number (${trimmed} has decimals).`);
  }
  return value;
}

function readJson(text: string, param: IParameter): any {
  let value: any;
  try {
    value = JSON.parse(text);
  } catch {
    const example = param.type === 'dict' ? '{"EMEA": 2}' : '["EMEA", "APAC"]';
    throw new Error(`Write it as JSON, e.g. ${example}.`);
  }
  if (param.type === 'list' && !Array.isArray(value)) {
    throw new Error('Write a list in square brackets, e.g. ["EMEA", "APAC"].');
  }
  if (
    param.type === 'dict' &&
    (value === null || typeof value !== 'object' || Array.isArray(value))
  ) {
    throw new Error('Write a mapping in braces, e.g. {"EMEA": 2}.');
  }
  return value;
}
