"""Mermaid's sequence diagram as a Reflex component (`assets/sequence_diagram.jsx`).

A `NoSSRComponent`: the page imports the JSX, and Mermaid with it, only when
the diagram is first shown, so no other page's bundle grows.
"""

from __future__ import annotations

import reflex as rx


class SequenceDiagram(rx.NoSSRComponent):
    """An SVG drawn by Mermaid from `chart` (Mermaid's text), in the browser."""

    library = "$/public/sequence_diagram.jsx"
    tag = "SequenceDiagram"
    lib_dependencies: list[str] = ["mermaid@12.3.0"]  # noqa: RUF012  (Reflex's field)

    # Mermaid's text for the diagram; "" draws nothing.
    chart: rx.Var[str]
    # The figure's accessible name.
    label: rx.Var[str]


sequence_diagram = SequenceDiagram.create
