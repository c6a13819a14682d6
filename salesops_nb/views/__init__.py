"""Guided builders (ipywidgets), one module per fundamental, thin over the domain packages.

Views hold a domain object, turn UI events into domain calls, show the results and autosave the
artefact to the workspace. Nothing here is imported by the domain.
"""
