/**
 * The template dialog: a parameter form and two actions, "Open notebook" and "Run report".
 */
import { Dialog, showErrorMessage } from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { FileDialog } from '@jupyterlab/filebrowser';
import { Widget } from '@lumino/widgets';

import {
  createNotebook,
  ITemplate,
  SalesOpsApiError,
  startReport
} from './api';
import { ParameterForm } from './form';
import { followReport } from './reports';

export const OPEN_LABEL = 'Open notebook';
export const REPORT_LABEL = 'Run report';

/** The body of the dialog: an error banner (after a refused request) above the form. */
class DialogBody extends Widget {
  constructor(
    readonly form: ParameterForm,
    banner: string | null
  ) {
    super();
    this.addClass('jp-SalesOps-dialog');
    if (banner) {
      const box = document.createElement('pre');
      box.className = 'jp-SalesOps-banner';
      box.setAttribute('role', 'alert');
      box.textContent = banner;
      this.node.appendChild(box);
    }
    this.node.appendChild(form.node);
  }

  getValue(): Record<string, any> | null {
    return this.form.values();
  }
}

/** A dialog that stays open while the form has invalid fields. */
class TemplateDialog extends Dialog<Record<string, any> | null> {
  constructor(
    private _form: DialogBody,
    title: string,
    private _actions: Dialog.IButton[],
    private _default: number
  ) {
    super({ title, body: _form, buttons: _actions, defaultButton: _default });
    this.addClass('jp-SalesOps-templateDialog');
  }

  resolve(index?: number): void {
    const button = this._actions[index ?? this._default];
    if (button?.accept && this._form.getValue() === null) {
      return; // the form shows what to fix
    }
    super.resolve(index);
  }
}

export interface ITemplateContext {
  docManager: IDocumentManager;
  /** The folder the file browser shows: new notebooks and reports go there. */
  folder: () => string;
}

/**
 * Show the form of ``template``, then create the notebook or start the report asked for.
 * A value the server refuses brings the form back with the server's message above it.
 */
export async function openTemplateDialog(
  context: ITemplateContext,
  template: ITemplate,
  options: { initial?: Record<string, any>; preferReport?: boolean } = {}
): Promise<void> {
  let initial = options.initial ?? {};
  let banner: string | null = null;
  for (;;) {
    const browse = async (current: string) => {
      const picked = await FileDialog.getOpenFiles({
        manager: context.docManager,
        title: 'Choose a data file'
      });
      const first = picked.button.accept ? picked.value?.[0] : undefined;
      return first ? first.path : null;
    };
    const form = new ParameterForm(template, { initial, browse });
    const buttons = [
      Dialog.cancelButton(),
      Dialog.okButton({
        label: REPORT_LABEL,
        caption: 'Run the template headless and open its HTML report'
      }),
      Dialog.okButton({
        label: OPEN_LABEL,
        caption: 'Create a notebook from the template and open it'
      })
    ];
    const dialog = new TemplateDialog(
      new DialogBody(form, banner),
      template.title,
      buttons,
      options.preferReport ? 1 : 2
    );
    const result = await dialog.launch();
    if (!result.button.accept || result.value === null) {
      return;
    }
    const values = result.value;
    const folder = context.folder();
    try {
      if (result.button.label === REPORT_LABEL) {
        const run = await startReport(template.name, joinPath(folder, 'reports'), values);
        void followReport(run, template.title, context.docManager).catch(() => undefined);
      } else {
        const made = await createNotebook(template.name, folder, values);
        context.docManager.openOrReveal(made.path);
      }
      return;
    } catch (error) {
      if (error instanceof SalesOpsApiError && [400, 403, 409].includes(error.status)) {
        banner = error.hint ? `${error.message}\n${error.hint}` : error.message;
        initial = { ...initial, ...values };
        continue;
      }
      const hint = error instanceof SalesOpsApiError && error.hint ? `\n\n${error.hint}` : '';
      await showErrorMessage(`${template.title}`, `${(error as Error).message}${hint}`);
      return;
    }
  }
}

function joinPath(folder: string, name: string): string {
  return folder ? `${folder}/${name}` : name;
}
