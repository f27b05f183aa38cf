"""The executed notebook as the council's HTML page: no code, no prompts, no stderr."""

from __future__ import annotations

import copy
import functools
import re

# nbconvert's HTMLExporter ends by parsing the whole finished page with BeautifulSoup (html.parser)
# to give images without alt text a placeholder and make code and output areas focusable. On an
# appendix page (~0,7 MB with its charts) that pass takes ~0,08 s per run, eight times the
# template and these edits together. The same two edits are done here on the tags themselves.
_DIV = re.compile(r"<div\b([^>]*)>")
_CLASS = re.compile(r'\bclass="([^"]*)"')
_IMG_NO_ALT = re.compile(r"<img\b(?![^>]*\balt=)")
_FOCUSABLE = {"jp-Cell-inputWrapper", "jp-OutputArea-output"}
NO_ALT = "Geen beschrijving bij deze afbeelding"


def _accessible(page: str) -> str:
    """What HTMLExporter's BeautifulSoup pass does: alt text on every image, tabindex on the
    code and output areas, so that keyboard users can reach (and scroll) them."""
    def focus(m: re.Match) -> str:
        cls = _CLASS.search(m.group(1))
        if cls and _FOCUSABLE & set(cls.group(1).split()) and "tabindex=" not in m.group(1):
            return f'<div{m.group(1)} tabindex="0">'
        return m.group(0)

    return _IMG_NO_ALT.sub(f'<img alt="{NO_ALT}"', _DIV.sub(focus, page))


@functools.cache
def exporter():
    """One HTML exporter per process: its templates load once, not once per run."""
    from nbconvert import HTMLExporter, TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class PageExporter(HTMLExporter):
        """HTMLExporter.from_notebook_node (nbconvert 7) with `_accessible` for its soup pass."""

        def from_notebook_node(self, nb, resources=None, **kw):
            info = nb.metadata.get("language_info", {})
            self.register_filter("highlight_code", self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=info.get(
                    "pygments_lexer", info.get("name")), parent=self)))
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return _accessible(page), resources

    return PageExporter(exclude_input=True, exclude_input_prompt=True,
                        exclude_output_prompt=True, language_code="nl")


def page_notebook(notebook):
    """A copy of the executed notebook as the page shows it: stable cell ids (papermill's
    injected cell gets a random one) and no stderr streams; the node itself is left as it is."""
    nb = copy.deepcopy(notebook)
    for i, cell in enumerate(nb.cells):
        cell.id = f"cel-{i}"
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs
                            if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
    return nb


def notebook_html(notebook, title: str) -> str:
    """The executed notebook (papermill's node) as HTML with all code, prompts and stderr
    hidden."""
    body, _ = exporter().from_notebook_node(page_notebook(notebook),
                                             resources={"metadata": {"name": title}})
    return body
