"""jinja2tsx: convert Flask/Jinja2 templates into render-equivalent React Server Components (TSX).

Pipeline (one module per stage): ``environment`` (jinja2's parser, Flask settings) → ``htmlscan``
(template text parsed by the lark grammar in ``grammars/``) → ``lower`` (jinja2 AST → ``ir``) →
``emit`` (IR → TSX using the TypeScript runtime in ``runtime/``) → ``format`` (prettier via one
persistent Node worker). ``convert`` orchestrates a folder; ``cli`` is the command line.
"""

__version__ = "0.1.0"
RUNTIME_VERSION = "v1"
