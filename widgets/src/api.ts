/**
 * The salesops-nb server API (see salesops_nb/server/handlers.py).
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/** What the form shows for a parameter. */
export type WidgetKind = 'path' | 'choice' | 'bool' | 'number' | 'json' | 'text';

export interface IParameter {
  name: string;
  type: string;
  default: any;
  help: string;
  widget: WidgetKind;
  choices?: string[];
}

export interface ITemplate {
  name: string;
  title: string;
  description: string;
  order: number;
  source: string;
  parameters: IParameter[];
}

export interface IReportError {
  message: string;
  hint: string | null;
  cell_number: number | null;
  notebook: string | null;
}

export interface IReportRun {
  id: string;
  template: string;
  status: 'running' | 'succeeded' | 'failed' | 'cancelled';
  progress: { done: number; total: number; current_cell: number | null };
  notebook: string | null;
  html: string | null;
  error: IReportError | null;
}

/** An error answered by the server: what is wrong, and how to fix it. */
export class SalesOpsApiError extends Error {
  constructor(
    message: string,
    readonly hint: string | null,
    readonly status: number
  ) {
    super(message);
  }
}

/**
 * Call the salesops-nb API; resolve with the JSON answer or reject with a SalesOpsApiError.
 */
export async function requestAPI<T>(
  endPoint: string,
  init: RequestInit = {}
): Promise<T> {
  const settings = ServerConnection.makeSettings();
  const url = URLExt.join(settings.baseUrl, 'salesops-nb', endPoint);
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    throw new SalesOpsApiError(
      `The Jupyter server cannot be reached: ${error}`,
      'Check that JupyterLab is still running.',
      0
    );
  }
  const text = await response.text();
  let data: any = {};
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = { message: text };
    }
  }
  if (!response.ok) {
    throw new SalesOpsApiError(
      data.message || response.statusText,
      data.hint || null,
      response.status
    );
  }
  return data as T;
}

export async function listTemplates(): Promise<ITemplate[]> {
  const data = await requestAPI<{ templates: ITemplate[] }>('templates');
  return data.templates;
}

export function createNotebook(
  template: string,
  folder: string,
  parameters: Record<string, any>
): Promise<{ path: string; name: string }> {
  return requestAPI('notebooks', {
    method: 'POST',
    body: JSON.stringify({ template, folder, parameters })
  });
}

export function startReport(
  template: string,
  folder: string,
  parameters: Record<string, any>
): Promise<IReportRun> {
  return requestAPI('reports', {
    method: 'POST',
    body: JSON.stringify({ template, folder, parameters })
  });
}

export function reportStatus(id: string): Promise<IReportRun> {
  return requestAPI(`reports/${id}`);
}

export function cancelReport(id: string): Promise<IReportRun> {
  return requestAPI(`reports/${id}`, { method: 'DELETE' });
}
