"""Analyses: the numbers of one report (wave or programme), with no language and no formatting."""
