"""Measuring the prompt policy: labelled prompt files (dataset) and their figures (scoring).

The shipped evaluation set, prompts.tsv, was written by hand for this purpose, independently of
the term lists, so its figures say how the policy does on text it was not built from.
"""
