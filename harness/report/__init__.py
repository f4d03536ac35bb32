"""Reports from saved results: Markdown, the self-contained HTML report and its SVG plots,
run comparisons, the leaderboard and CI gates (with JUnit XML).

Modules: ``markdown``, ``html``, ``plots``, ``load`` (a run folder back into values),
``rebuild`` (``harness report``), ``compare``, ``leaderboard``, ``gate``.
"""
