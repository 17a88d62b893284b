"""``CodebookPanel``: the ipywidgets view of a ``CodebookEditor`` (notebook 02).

A list of the codes on the left (with a search box), the chosen code on the right in three tabs
(edit it, add a code, move / merge / delete), and one status line. Each button calls one editor
method; the view then shows the editor's state again. Nothing here decides anything about codes.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import ipywidgets as w

from ..text import fold
from .codebook_editor import FIELDS, CodebookEditor

if TYPE_CHECKING:
    from ..project import Project

#: The dropdown value standing for "no parent" (ipywidgets reads ``None`` as "nothing chosen").
THEME = ""
COLORS = {"info": "#1b5e20", "attention": "#8a5300", "erreur": "#b71c1c"}
LABEL_STYLE = {"description_width": "8em"}
CSS_CLASS = "miam-livre-de-codes"
#: Tab titles as wide as their words (ipywidgets cuts them at 144 pixels).
STYLE = (
    f"<style>.jupyter-widgets.widget-tab.{CSS_CLASS} > .lm-TabBar .lm-TabBar-tab "
    "{ flex: 0 0 auto; }</style>"
)


def _text_area(description: str, rows: int = 2) -> w.Textarea:
    return w.Textarea(
        description=description, rows=rows, style=LABEL_STYLE, layout=w.Layout(width="98%")
    )


class CodebookPanel:
    """``CodebookPanel(projet)`` in a notebook cell shows the codebook editing panel.

    ``by``: the name signing the changes (default: the coder remembered on this machine). The
    underlying ``editor`` (a ``CodebookEditor``) holds the logic and can be driven from Python.
    """

    def __init__(self, project: Project, *, by: str | None = None):
        self.editor = CodebookEditor(project, by=by)
        self._showing = False
        self.title = w.HTML()
        self.by = w.Text(
            value=self.editor.by,
            description="Votre nom",
            continuous_update=False,
            layout=w.Layout(width="24em"),
            style={"description_width": "6.5em"},
        )
        self.search = w.Text(
            placeholder="chercher un code…", continuous_update=True, layout=w.Layout(width="98%")
        )
        self.codes = w.Select(rows=18, layout=w.Layout(width="98%"))
        self.summary = w.HTML()
        self.status = w.HTML()

        # Edit the chosen code.
        self.field = {
            "label": w.Text(description=FIELDS["label"], style=LABEL_STYLE, layout=w.Layout(width="98%")),
            "definition": _text_area(FIELDS["definition"], 3),
            "inclusion": _text_area(FIELDS["inclusion"]),
            "exclusion": _text_area(FIELDS["exclusion"]),
            "example": _text_area(FIELDS["example"]),
            "color": w.ColorPicker(description=FIELDS["color"], concise=False, style=LABEL_STYLE,
                                   layout=w.Layout(width="17em")),
            "keywords": w.Text(description=FIELDS["keywords"], placeholder="séparés par des virgules",
                               style=LABEL_STYLE, layout=w.Layout(width="auto", flex="1 1 auto")),
        }  # fmt: skip
        self.suggest_button = w.Button(
            description="Couleur proposée", icon="magic",
            tooltip="Une couleur de la famille du thème, bien distincte des codes voisins "
            "(rien n'est écrit avant « Enregistrer »)",
            layout=w.Layout(width="auto", min_width="12.5em", flex="0 0 auto"),  # never cut
        )  # fmt: skip
        self.save_button = w.Button(description="Enregistrer", button_style="primary", icon="save")
        edit = w.VBox(
            [
                self.field["label"],
                w.HBox(
                    [self.field["color"], self.suggest_button, self.field["keywords"]],
                    layout=w.Layout(width="98%"),
                ),  # fmt: skip
                self.field["definition"],
                self.field["inclusion"],
                self.field["exclusion"],
                self.field["example"],
                self.save_button,
            ]
        )

        # Add a code.
        self.new_parent = w.Dropdown(
            description="Sous", style=LABEL_STYLE, layout=w.Layout(width="98%")
        )
        self.new_label = w.Text(
            description="Libellé", style=LABEL_STYLE, layout=w.Layout(width="98%")
        )
        self.new_id = w.Text(description="Identifiant", placeholder="facultatif : fait à partir du libellé",
                             style=LABEL_STYLE, layout=w.Layout(width="98%"))  # fmt: skip
        self.new_definition = _text_area(FIELDS["definition"], 3)
        self.new_inclusion = _text_area(FIELDS["inclusion"])
        self.new_exclusion = _text_area(FIELDS["exclusion"])
        self.add_button = w.Button(
            description="Ajouter le code", button_style="primary", icon="plus"
        )
        add = w.VBox(
            [self.new_parent, self.new_label, self.new_id, self.new_definition,
             self.new_inclusion, self.new_exclusion, self.add_button]
        )  # fmt: skip

        # Move, merge, delete.
        self.move_to = w.Dropdown(
            description="Déplacer sous", style=LABEL_STYLE, layout=w.Layout(width="70%")
        )
        self.move_button = w.Button(description="Déplacer", icon="arrows")
        self.merge_into = w.Dropdown(
            description="Fusionner dans", style=LABEL_STYLE, layout=w.Layout(width="70%")
        )
        self.merge_button = w.Button(
            description="Fusionner…", button_style="warning", icon="compress"
        )
        self.delete_button = w.Button(description="Supprimer…", button_style="danger", icon="trash")
        self.cancel_button = w.Button(description="Annuler", layout=w.Layout(display="none"))
        organise = w.VBox(
            [
                w.HTML("Déplacer un code garde ses codages et emmène ses sous-codes."),
                w.HBox([self.move_to, self.move_button]),
                w.HTML("Fusionner déplace tous ses codages et sous-codes dans l'autre code, puis le retire."),
                w.HBox([self.merge_into, self.merge_button]),
                w.HTML("Seul un code sans codage ni sous-code peut être supprimé."),
                w.HBox([self.delete_button, self.cancel_button]),
            ]
        )  # fmt: skip

        self.tabs = w.Tab(
            children=[edit, add, organise],
            titles=["Modifier ce code", "Ajouter un code", "Déplacer, fusionner, supprimer"],
            layout=w.Layout(width="98%"),
        )
        self.tabs.add_class(CSS_CLASS)
        left = w.VBox([self.search, self.codes], layout=w.Layout(flex="0 0 23em", width="23em"))
        right = w.VBox(
            [self.summary, self.tabs], layout=w.Layout(flex="1 1 30em", min_width="30em")
        )
        self.ui = w.VBox(
            [
                w.HBox([self.title, self.by], layout=w.Layout(justify_content="space-between")),
                w.HBox([left, right], layout=w.Layout(flex_flow="row wrap", width="100%")),
                self.status,
                w.HTML(STYLE),
            ],
            layout=w.Layout(max_width="72em"),
        )

        self.by.observe(lambda change: self._act(self.editor.set_by, change["new"]), names="value")
        self.search.observe(lambda _change: self._show_codes(), names="value")
        self.codes.observe(self._on_pick, names="value")
        self.save_button.on_click(lambda _b: self._act(self.save))
        self.suggest_button.on_click(lambda _b: self.suggest_color())
        self.add_button.on_click(lambda _b: self._act(self.add))
        self.move_button.on_click(
            lambda _b: self._act(self.editor.move, self.move_to.value or None)
        )
        self.merge_button.on_click(lambda _b: self._act(self._merge))
        self.delete_button.on_click(lambda _b: self._act(self._delete))
        self.cancel_button.on_click(lambda _b: self._act(self.editor.cancel))
        self.show()

    # -- actions: the form's values handed to the editor --------------------------------------
    def suggest_color(self) -> None:
        """Put the suggested colour in the picker (written by « Enregistrer » only)."""
        color = self.editor.suggested_color()
        if color is not None:
            self.field["color"].value = color

    def save(self):
        return self.editor.save(**{name: box.value for name, box in self.field.items()})

    def add(self):
        code = self.editor.add(
            self.new_label.value,
            parent=self.new_parent.value or None,
            code_id=self.new_id.value,
            definition=self.new_definition.value,
            inclusion=self.new_inclusion.value,
            exclusion=self.new_exclusion.value,
        )
        if code is not None:
            for box in (self.new_label, self.new_id, self.new_definition, self.new_inclusion,
                        self.new_exclusion):  # fmt: skip
                box.value = ""
            self.tabs.selected_index = 0
        return code

    def _merge(self):
        pending = self.editor.pending
        into = self.merge_into.value or None
        return self.editor.merge(into, confirmed=pending is not None and pending.action == "fusion")

    def _delete(self):
        pending = self.editor.pending
        return self.editor.delete(confirmed=pending is not None and pending.action == "suppression")

    def _act(self, action, *args):
        action(*args)
        self.show()

    def _on_pick(self, change) -> None:
        if self._showing or change["new"] is None or change["new"] == self.editor.selected:
            return
        self.editor.select(change["new"])
        self.show()

    # -- showing the editor's state -----------------------------------------------------------
    def _show_codes(self) -> None:
        wanted = fold(self.search.value.strip())
        options = [
            (label, code_id)
            for label, code_id in self.editor.choices()
            if not wanted or wanted in fold(label) or wanted in code_id
        ]
        self._showing = True
        try:
            self.codes.options = options
            ids = [code_id for _label, code_id in options]
            self.codes.value = self.editor.selected if self.editor.selected in ids else None
        finally:
            self._showing = False

    def show(self) -> None:
        """Show the editor's state: the code list, the chosen code, the choices, the status."""
        editor = self.editor
        book = editor.project.codebook
        self.title.value = f"<b>Livre de codes</b> — {len(book)} code(s)"
        self._show_codes()
        self.summary.value = f"<p>{html.escape(editor.summary())}</p>"
        for name, value in editor.fields().items():
            self.field[name].value = value or ("#9e9e9e" if name == "color" else "")
        parents = [(label, code_id or THEME) for label, code_id in editor.parent_choices()]
        self.new_parent.options = parents
        self.new_parent.value = editor.selected or THEME
        self.move_to.options = [
            (label, code_id or THEME)
            for label, code_id in editor.parent_choices(exclude_branch=editor.selected)
        ]
        code = editor.code
        self.move_to.value = (code.parent or THEME) if code else THEME
        others = [(label, c) for label, c in editor.choices() if c != editor.selected]
        keep = self.merge_into.value
        self.merge_into.options = others
        self.merge_into.value = keep if keep in [c for _l, c in others] else None
        pending = editor.pending
        merging = pending is not None and pending.action == "fusion"
        deleting = pending is not None and pending.action == "suppression"
        self.merge_button.description = "Confirmer la fusion" if merging else "Fusionner…"
        self.delete_button.description = "Confirmer la suppression" if deleting else "Supprimer…"
        self.cancel_button.layout.display = "" if pending else "none"
        color = COLORS.get(editor.status_level, COLORS["info"])
        text = html.escape(editor.status) or "&nbsp;"
        self.status.value = f"<span style='color:{color}'>{text}</span>"

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.ui)
