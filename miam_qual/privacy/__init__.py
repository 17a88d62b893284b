"""Everything that keeps real names and unconsented words inside the project: the name matcher,
the private pseudonym mapping, and the gate every export passes."""

from .names import NameEntry, NameHit, NameMatcher, fold_for_match, mask
from .pseudonyms import PRIVATE_DIR, PSEUDONYM_FILE, Pseudonyms, names_to_review

__all__ = [
    "PRIVATE_DIR",
    "PSEUDONYM_FILE",
    "NameEntry",
    "NameHit",
    "NameMatcher",
    "Pseudonyms",
    "fold_for_match",
    "mask",
    "names_to_review",
]
