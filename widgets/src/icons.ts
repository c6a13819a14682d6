/**
 * One icon per template, in the order the method flows; others get the generic one.
 */
import { LabIcon } from '@jupyterlab/ui-components';

import charterSvg from '../style/icons/charter.svg';
import dataOverviewSvg from '../style/icons/data_overview.svg';
import fiveWhysSvg from '../style/icons/five_whys.svg';
import installmentsSvg from '../style/icons/installments.svg';
import reviewSvg from '../style/icons/review.svg';
import segmentationSvg from '../style/icons/segmentation.svg';
import templateSvg from '../style/icons/template.svg';

const icon = (name: string, svgstr: string) =>
  new LabIcon({ name: `salesops-nb:${name}`, svgstr });

export const templateIcon = icon('template', templateSvg);

const byTemplate: Record<string, LabIcon> = {
  data_overview: icon('data-overview', dataOverviewSvg),
  segmentation: icon('segmentation', segmentationSvg),
  five_whys: icon('five-whys', fiveWhysSvg),
  installments: icon('installments', installmentsSvg),
  charter: icon('charter', charterSvg),
  review: icon('review', reviewSvg)
};

/** The icon of a template, by name. */
export function iconFor(name: string | undefined): LabIcon {
  return (name && byTemplate[name]) || templateIcon;
}
