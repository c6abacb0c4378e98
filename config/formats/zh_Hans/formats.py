# The input formats of Django's zh_Hans locale put "2016/09/05" first, and a form renders a date
# in the first one: a browser's <input type="date"> accepts only ISO dates and shows such a value
# as empty ("请填写此字段"). ISO first; the other Chinese spellings are still read.
DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # '2016-09-05'
    "%Y/%m/%d",  # '2016/09/05'
    "%Y年%m月%d日",  # '2016年9月5日'
]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M",  # <input type="datetime-local">
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
]
