"""Translation workflow: note states and transitions, entry checks, diffs, translation memory.

Plain Python, never imports Flask: ``states`` (the guarded transition table), ``checks``
(errors block submission, warnings inform), ``diff`` (word and line diffs as escaped HTML) and
``memory`` (exact and fuzzy suggestions across notes).
"""
