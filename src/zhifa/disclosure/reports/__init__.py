"""The annual enforcement statistics report (行政执法统计年报, 国办发〔2018〕118号): the figures
computed from the records (``compute``), the tables they are shown in (``layout``), and the
downloads (``pdf`` with ``charts``, ``xlsx``). Changes to a report are made only by
``zhifa.disclosure.services.reports``."""
