"""The 5 Why diagnostic: why-trees with evidence, coaching checks, countermeasures, renderings.

Pure domain code (no widgets): build a :class:`WhyAnalysis`, check it with :func:`lint`,
measure it with :func:`summary`, evaluate countermeasure checks, and render it as Mermaid, a
Markdown outline, tables, HTML and an offline SVG diagram.
"""
