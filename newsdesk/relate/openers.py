"""Capitalised words that name nothing: capitalised only because they open a sentence or
a headline ("The", "However", "Yesterday"). Story features leave them out of the names
view, and protagonists never read them as part of a person's name."""

OPENERS = frozenset(
    """
    The A An In On At By For From To Of And But Or If As It Its This That These Those He
    She They We I You His Her Their Our My Your Since While When After Before During
    Although However Meanwhile Still Yet So Then Also Last Next New Some Many Most More
    Both All Each Every Such No Not Only Even Just Over Under About Around Mr Mrs Ms Dr
    There Here What Who Why How Where Which With Without Into Than Was Were Is Are Has
    Have Had Will Would Can Could Should May Might Now Today Yesterday
    """.split()
)
