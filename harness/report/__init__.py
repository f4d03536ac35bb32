"""Reports: Markdown (and later HTML, comparisons, gates) from saved results."""
