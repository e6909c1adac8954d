"""The random challenge shown to the user: a phrase to read aloud and head turns to make.

A pre-recorded or replayed video cannot know either in advance.
"""

import random
from dataclasses import dataclass, field

MOVES = ("left", "right")

# Short, unambiguous words that are easy to read aloud and for an ASR to recognise.
WORDS = (
    "apple",
    "river",
    "orange",
    "window",
    "garden",
    "yellow",
    "pencil",
    "summer",
    "rocket",
    "silver",
    "tiger",
    "candle",
    "forest",
    "button",
    "purple",
    "ocean",
    "market",
    "winter",
    "guitar",
    "planet",
    "coffee",
    "bridge",
    "dragon",
    "pillow",
    "ladder",
    "mirror",
    "carpet",
    "island",
    "rabbit",
    "castle",
    "violin",
    "camera",
    "jungle",
    "rainbow",
    "tomato",
    "wallet",
    "thunder",
    "blanket",
    "monkey",
    "helmet",
    "kitchen",
    "lemon",
    "meadow",
    "anchor",
    "basket",
    "cherry",
    "feather",
    "harbor",
    "lantern",
    "marble",
    "pepper",
    "saddle",
    "tunnel",
    "velvet",
)


@dataclass(frozen=True)
class Challenge:
    phrase: str
    # Subject's own left/right, in the order they must happen; "left" may repeat, with a
    # return to the centre in between.
    moves: list[str] = field(default_factory=list)


def make_challenge(
    rng: random.Random, *, n_words: int | None = None, n_moves: int = 3
) -> Challenge:
    """Draw a phrase of 4-5 distinct words and `n_moves` head turns (8 orders for 3 moves)."""
    words = rng.sample(WORDS, n_words if n_words is not None else rng.choice((4, 5)))
    moves = [rng.choice(MOVES) for _ in range(n_moves)]
    if len(set(moves)) == 1 and n_moves > 1:
        # Both directions must appear, otherwise one long turn could satisfy the challenge.
        moves[rng.randrange(n_moves)] = MOVES[1] if moves[0] == MOVES[0] else MOVES[0]
    return Challenge(phrase=" ".join(words), moves=moves)
