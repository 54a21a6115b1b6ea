"""How much of a prompt a sentence encoder reads: at most its own token limit.

Why: a prompt may be 20,000 characters, and an encoder's tokeniser and forward
pass are the costliest readers of it. USE's tokeniser is pure Python, and e5
slides 510-token windows over the whole text inside one C call that no deadline
can interrupt, so an unbounded prompt once held a worker's core for a minute
after its screen had answered. Each encoder therefore reads only the head of a
prompt, cut *before* it is tokenised:

1. to ``max_tokens * CHARS_PER_TOKEN`` characters (a token of ordinary text is
   3-5 characters; for 256 tokens that is 1,024 characters), which bounds the
   tokeniser's work whatever the prompt's length;
2. then, while the encoder's own tokeniser counts more than ``max_tokens``
   tokens (text of one-character tokens: CJK, symbols, digits), shorter in
   proportion; after ``PROPORTIONAL_CUTS`` such cuts, by at least
   ``1 / MIN_SHRINK`` of its length each time, so the loop always ends soon.

So an encoder never sees more than its token limit (for e5: one window, never
several). The lexicon and the n-gram model still read the whole prompt; their
work is linear in it.
"""

from __future__ import annotations

from collections.abc import Callable

CHARS_PER_TOKEN = 4
PROPORTIONAL_CUTS = 2  # in practice the second cut is within the limit
MIN_SHRINK = 16  # each further cut drops at least 1/16 of the head


def head_within(text: str, max_tokens: int, count: Callable[[str], int]) -> str:
    """The longest head of ``text`` found whose ``count`` is at most ``max_tokens``.

    ``count`` is the encoder's token count, specials included; it is only ever
    given at most ``max_tokens * CHARS_PER_TOKEN`` characters.
    """
    head = text[: max_tokens * CHARS_PER_TOKEN]
    cuts = 0
    while head:
        tokens = count(head)
        if tokens <= max_tokens:
            return head
        keep = min(len(head) * max_tokens // tokens, len(head) - 1)
        if cuts >= PROPORTIONAL_CUTS:  # counts that do not fall in proportion
            keep = min(keep, len(head) - len(head) // MIN_SHRINK)
        head, cuts = head[:keep], cuts + 1
    return head
