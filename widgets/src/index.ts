import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'salesops-nb:plugin',
  autoStart: true,
  activate: (app: JupyterFrontEnd) => {
    console.log('salesops-nb activated');
  }
};

export default plugin;
