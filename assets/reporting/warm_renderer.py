"""Imported once, by the render pool's forkserver, to make every worker it forks start warm.

Importing this module does the work (a forkserver can only be told which modules to import):
the stylesheet parsed, the bundled fonts registered and loaded, the templates compiled. Worker
processes forked from it inherit all of that instead of paying it again for each week's pool.
Nothing else imports this module.
"""

from assets.reporting.pdf_writer import warm_up

warm_up()
