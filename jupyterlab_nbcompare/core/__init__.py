"""The pure core: read, extract, classify and compare notebooks.

No server imports live here: the REST handlers, the command line and the
Python API all sit on these functions, so every face gives the same answers.

Layout (each module depends only on the ones above it):

``literal``   bounded parser of what Python/numpy print (``np.float64(0.2)``, ``nan``)
``classify``  one nbformat output -> a *cell* dict (``kind`` + fields of api.md,
              without deltas); tables from pandas HTML / dataresource, image sizes
``reader``    bytes -> notebook dict (orjson, nbformat 1-3 upgraded to 4);
              raises :class:`reader.NotebookReadError` with a code of api.md
``extract``   notebook dict -> a *record* (a plain, JSON-able dict, so a cache
              can size it): named values (tags, scraps), papermill
              parameters, status, duration
``directions`` which way a metric improves, guessed from its name
``compare``   records of several notebooks -> the ``compare`` response of api.md
              (union of names, deltas, directions, table/sequence diffs)
``index``     records of a folder -> the ``index`` response (names, counts, min/max)
``files``     the same from plain filesystem paths, for the CLI and Python API
"""
