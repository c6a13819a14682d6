/**
 * salesops-nb in JupyterLab: a "Sales Ops" Launcher section with a card per template, a form
 * built from the template's parameters, palette entries, a "Run as report" notebook toolbar
 * button and a deep link (?salesops-template=NAME) for workshops.
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, ToolbarButton } from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { DocumentRegistry } from '@jupyterlab/docregistry';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ILauncher } from '@jupyterlab/launcher';
import { INotebookModel, NotebookPanel } from '@jupyterlab/notebook';
import { DisposableDelegate, IDisposable } from '@lumino/disposable';

import { ITemplate, listTemplates } from './api';
import { openTemplateDialog } from './dialog';
import { iconFor, templateIcon } from './icons';

const CATEGORY = 'Sales Ops';
const DEEP_LINK = 'salesops-template';

namespace CommandIDs {
  export const open = 'salesops-nb:open-template';
  export const runAsReport = 'salesops-nb:run-as-report';
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'salesops-nb:plugin',
  description: 'Sales Ops templates: launcher cards, parameter forms, notebooks and reports.',
  autoStart: true,
  requires: [IDocumentManager],
  optional: [ILauncher, ICommandPalette, IDefaultFileBrowser],
  activate: (
    app: JupyterFrontEnd,
    docManager: IDocumentManager,
    launcher: ILauncher | null,
    palette: ICommandPalette | null,
    browser: IDefaultFileBrowser | null
  ) => {
    // read before JupyterLab's router rewrites the address
    const deepLink = new URLSearchParams(window.location.search).get(DEEP_LINK);
    const templates = new Map<string, ITemplate>();
    const context = {
      docManager,
      folder: () => browser?.model.path ?? ''
    };

    const find = async (name: string): Promise<ITemplate | undefined> => {
      if (!templates.has(name)) {
        await registry.refresh();
      }
      return templates.get(name);
    };

    app.commands.addCommand(CommandIDs.open, {
      label: args =>
        args.palette
          ? `New from template: ${args.title ?? args.name}`
          : ((args.title as string) ?? 'Sales Ops template'),
      caption: args => (args.description as string) ?? '',
      icon: args => iconFor(args.name as string),
      execute: async args => {
        const template = await find(args.name as string);
        if (template) {
          await openTemplateDialog(context, template);
        }
      }
    });

    app.commands.addCommand(CommandIDs.runAsReport, {
      label: 'Run as report',
      caption: 'Run the template of this notebook headless and open its HTML report',
      icon: templateIcon,
      execute: async args => {
        const panel = app.shell.currentWidget;
        if (panel instanceof NotebookPanel) {
          await runAsReport(panel);
        }
      }
    });

    const runAsReport = async (panel: NotebookPanel) => {
      const name = templateOf(panel, templates);
      const template = name ? await find(name) : undefined;
      if (template) {
        await openTemplateDialog(context, template, {
          initial: notebookParameters(panel, template),
          preferReport: true
        });
      }
    };

    const registry = new TemplateEntries(templates, launcher, palette);
    app.docRegistry.addWidgetExtension(
      'Notebook',
      new RunAsReportButton(templates, registry, runAsReport)
    );
    // The launcher shows what the server has now: a template added to the user folder
    // appears the next time a Launcher opens, without reloading the page.
    app.commands.commandExecuted.connect((_, executed) => {
      if (executed.id === 'launcher:create') {
        void registry.refresh();
      }
    });

    void app.restored
      .then(() => registry.refresh())
      .then(async () => {
        if (deepLink) {
          const url = new URL(window.location.href);
          url.searchParams.delete(DEEP_LINK);
          window.history.replaceState(window.history.state, '', url.toString());
          await app.commands.execute(CommandIDs.open, { name: deepLink });
        }
      });
  }
};

/**
 * Launcher cards and palette entries, kept in step with the server's template list.
 */
class TemplateEntries {
  constructor(
    private _templates: Map<string, ITemplate>,
    private _launcher: ILauncher | null,
    private _palette: ICommandPalette | null
  ) {}

  /** Fetch the templates; add, update or remove their entries. */
  async refresh(): Promise<void> {
    let list: ITemplate[];
    try {
      list = await listTemplates();
    } catch (error) {
      console.error('salesops-nb: cannot list the templates', error);
      return;
    }
    const seen = new Set(list.map(t => t.name));
    for (const [name, entries] of this._entries) {
      if (!seen.has(name)) {
        entries.dispose();
        this._entries.delete(name);
        this._templates.delete(name);
      }
    }
    for (const template of list) {
      this._templates.set(template.name, template);
      const signature = JSON.stringify([
        template.title,
        template.description,
        template.order
      ]);
      const known = this._entries.get(template.name);
      if (known && this._signatures.get(template.name) === signature) {
        continue;
      }
      known?.dispose();
      this._entries.set(template.name, this._add(template));
      this._signatures.set(template.name, signature);
    }
    this.changed = Date.now();
  }

  private _add(template: ITemplate): IDisposable {
    const args = {
      name: template.name,
      title: template.title,
      description: template.description
    };
    const disposables: IDisposable[] = [];
    if (this._launcher) {
      disposables.push(
        this._launcher.add({
          command: CommandIDs.open,
          args,
          category: CATEGORY,
          rank: template.order
        })
      );
    }
    if (this._palette) {
      disposables.push(
        this._palette.addItem({
          command: CommandIDs.open,
          args: { ...args, palette: true },
          category: CATEGORY,
          rank: template.order
        })
      );
    }
    return new DisposableDelegate(() => disposables.forEach(d => d.dispose()));
  }

  changed = 0;
  private _entries = new Map<string, IDisposable>();
  private _signatures = new Map<string, string>();
}

/** The template a notebook came from: recorded at creation, or its file name (name-2). */
function templateOf(
  panel: NotebookPanel,
  templates: Map<string, ITemplate>
): string | null {
  const meta = panel.model?.getMetadata('salesops_nb') as
    | { template?: string }
    | undefined;
  if (!meta) {
    return null;
  }
  if (meta.template) {
    return meta.template;
  }
  const stem = PathExt.basename(panel.context.path, '.ipynb').replace(/-\d+$/, '');
  return templates.has(stem) ? stem : null;
}

/** The parameters injected when the notebook was made, with paths made root-relative. */
function notebookParameters(
  panel: NotebookPanel,
  template: ITemplate
): Record<string, any> {
  const papermill = panel.model?.getMetadata('papermill') as
    | { parameters?: Record<string, any> }
    | undefined;
  const values: Record<string, any> = { ...(papermill?.parameters ?? {}) };
  const folder = PathExt.dirname(panel.context.path);
  for (const param of template.parameters) {
    const value = values[param.name];
    if (param.widget === 'path' && typeof value === 'string' && value) {
      values[param.name] = PathExt.normalize(PathExt.join(folder, value));
    }
  }
  return values;
}

/** "Run as report" on the toolbar of notebooks that came from a template. */
class RunAsReportButton
  implements DocumentRegistry.IWidgetExtension<NotebookPanel, INotebookModel>
{
  constructor(
    private _templates: Map<string, ITemplate>,
    private _registry: TemplateEntries,
    private _run: (panel: NotebookPanel) => Promise<void>
  ) {}

  createNew(
    panel: NotebookPanel,
    context: DocumentRegistry.IContext<INotebookModel>
  ): IDisposable {
    const button = new ToolbarButton({
      className: 'jp-SalesOps-runAsReport',
      icon: templateIcon,
      label: 'Run as report',
      tooltip: 'Run this template headless and open its HTML report',
      onClick: () => void this._run(panel)
    });
    button.hide();
    panel.toolbar.insertItem(10, 'salesopsRunAsReport', button);
    void context.ready.then(async () => {
      if (!this._registry.changed) {
        await this._registry.refresh();
      }
      if (templateOf(panel, this._templates)) {
        button.show();
      }
    });
    return button;
  }
}

export default plugin;
