"""Every `owm` command: the outermost layer, which nothing else imports.

`owm.cli.launch.main` is the `owm` script: a plain `owm evaluate` runs
`owm.cli.evaluate` before any framework loads; everything else goes to the Typer
application in `owm.cli.app`. The commands that work on the ward's database open
it through one helper (`owm.cli.database`) and act as a user or as the system.

This package stays empty of imports: `owm evaluate`'s start-up time is a
decision's latency.
"""
