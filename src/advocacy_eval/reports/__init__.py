"""Reports: words and pictures. Turns analyses' results into tables, sentences and figures in one language."""
