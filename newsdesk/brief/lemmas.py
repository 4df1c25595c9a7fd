"""Irregular English verb forms, so that "slept" meets "sleep" and "made" meets "makes".

The fact checker compares words after a light suffix strip ("reported" -> "report"), which
cannot join the forms of an irregular verb: "he must have slept walking" against "sleep
walking", "the photo was taken" against "took the photo", "he has gone" against "went".
A change of tense or voice is not a change of fact, yet each such word counted as absent
from the source, and on FRANK dev three correct summaries were flagged for nothing else.

Only verbs are listed, and only forms that are not also a common noun or adjective with
another meaning ("ground", "wound", "bound" are left out); a form that is still ambiguous
("left", "found") can only make the checker more lenient, never flag a sentence.
"""

from __future__ import annotations

_FORMS = """
arise arose arisen; awake awoke awoken; bear bore borne; beat beaten; become became;
begin began begun; bend bent; bite bit bitten; bleed bled; blow blew blown; break broke
broken; breed bred; bring brought; build built; buy bought; catch caught; choose chose
chosen; come came; creep crept; deal dealt; dig dug; do did done; draw drew drawn; drink
drank drunk; drive drove driven; eat ate eaten; fall fell fallen; feed fed; feel felt;
fight fought; find found; flee fled; fly flew flown; forbid forbade forbidden; forget
forgot forgotten; forgive forgave forgiven; freeze froze frozen; get got gotten; give gave
given; go went gone; grow grew grown; hang hung; hear heard; hide hid hidden; hold held;
keep kept; kneel knelt; know knew known; lay laid; lead led; leave left; lend lent; lose
lost; make made; mean meant; meet met; pay paid; ride rode ridden; ring rang rung; rise rose
risen; run ran; see saw seen; seek sought; sell sold; send sent; shake shook shaken; shine
shone; shoot shot; show shown; shrink shrank shrunk; sing sang sung; sink sank sunk; sit
sat; sleep slept; slide slid; speak spoke spoken; spend spent; spin spun; spring sprang
sprung; stand stood; steal stole stolen; stick stuck; sting stung; strike struck stricken;
swear swore sworn; sweep swept; swim swam swum; swing swung; take took taken; teach taught;
tear tore torn; tell told; think thought; throw threw thrown; understand understood; wake
woke woken; wear wore worn; weep wept; win won; withdraw withdrew withdrawn; write wrote
written
"""

IRREGULAR: dict[str, str] = {
    form: group.split()[0]
    for group in _FORMS.split(";")
    for form in group.split()
}


def verb_base(word: str) -> str | None:
    """The base of an irregular verb form or of its third person ("took", "takes" ->
    "take"), else None."""
    if word in IRREGULAR:
        return IRREGULAR[word]
    for suffix in ("es", "s"):
        if word.endswith(suffix) and word[: -len(suffix)] in IRREGULAR:
            return IRREGULAR[word[: -len(suffix)]]
    return None
