"""The workshop web app (``sgsim app``): a Streamlit page over plain functions.

Everything the page decides is in a module of its own that imports no Streamlit, so it is
tested as ordinary code: which scenarios are offered (``library``), reading an uploaded
file safely (``upload``), the controls a scenario offers (``controls``), the scenario they
make (``design``), how long a run will take (``estimate``), the words beside each figure
and difference (``explain``) and the files to download (``downloads``). ``page`` only
lays these out.
"""
