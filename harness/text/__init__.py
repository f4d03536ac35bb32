"""The language layer: normalisation, tokenising, stemming, sentences, dates, numbers."""
