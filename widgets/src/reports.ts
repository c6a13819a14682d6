/**
 * Follow a report run: progress in a notification, the HTML opened when it is ready, the
 * failing cell named when it is not.
 */
import { Notification, showErrorMessage } from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';

import { cancelReport, IReportRun, reportStatus } from './api';

const POLL_MS = 1000;

/**
 * Poll a started run until it ends; resolves with its final state.
 */
export async function followReport(
  run: IReportRun,
  title: string,
  docManager: IDocumentManager
): Promise<IReportRun> {
  const cancel = {
    label: 'Cancel',
    caption: 'Stop this report run',
    callback: () => {
      void cancelReport(run.id);
    }
  };
  const id = Notification.emit(`Running the ${title} report…`, 'in-progress', {
    autoClose: false,
    actions: [cancel]
  });
  let state = run;
  while (state.status === 'running') {
    await new Promise(resolve => setTimeout(resolve, POLL_MS));
    try {
      state = await reportStatus(run.id);
    } catch (error) {
      Notification.update({
        id,
        message: `Lost track of the ${title} report: ${(error as Error).message}`,
        type: 'error',
        autoClose: false
      });
      throw error;
    }
    if (state.status === 'running') {
      const { done, total } = state.progress;
      const cells = total ? ` (${done} of ${total} cells)` : '';
      Notification.update({
        id,
        message: `Running the ${title} report${cells}…`,
        type: 'in-progress',
        autoClose: false,
        actions: [cancel]
      });
    }
  }
  if (state.status === 'succeeded' && state.html) {
    const html = state.html;
    Notification.update({
      id,
      message: `The ${title} report is ready: ${html}`,
      type: 'success',
      autoClose: 8000,
      actions: [{ label: 'Open', callback: () => docManager.openOrReveal(html) }]
    });
    docManager.openOrReveal(html);
  } else if (state.status === 'failed' && state.error) {
    const error = state.error;
    const where = error.cell_number ? ` in cell ${error.cell_number}` : '';
    const actions = [
      {
        label: 'Details',
        callback: () => {
          void showErrorMessage(
            `The ${title} report failed${where}`,
            error.hint ? `${error.message}\n\nHint: ${error.hint}` : error.message
          );
        }
      }
    ];
    if (error.notebook) {
      const kept = error.notebook;
      actions.push({
        label: 'Open notebook',
        callback: () => {
          docManager.openOrReveal(kept);
        }
      });
    }
    Notification.update({
      id,
      message: `The ${title} report failed${where}: ${firstLine(error.message)}`,
      type: 'error',
      autoClose: false,
      actions
    });
  } else {
    Notification.update({
      id,
      message: `The ${title} report was cancelled.`,
      type: 'warning',
      autoClose: 5000
    });
  }
  return state;
}

function firstLine(text: string): string {
  const line = text.split('\n')[0];
  return line.length > 240 ? `${line.slice(0, 240)}…` : line;
}
