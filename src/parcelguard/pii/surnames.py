"""Chinese surnames: the lexicon the name recognizer starts every name from.

`COMMON_SURNAMES` (about the 150 most frequent, well over 90% of people) is what a name without
any cue must start with; `SURNAMES` adds the rarer single-character ones, accepted after a cue
such as 收件人 or 姓名. Characters that are surnames only in theory and words in practice
(的, 快, 到 …) are left out on purpose.
"""

from __future__ import annotations

from parcelguard.pii.masking import COMPOUND_SURNAMES

COMMON_SURNAMES = frozenset(
    """王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩邓冯曹彭曾肖田董潘袁蔡蒋余于杜
    叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付傅方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺
    毛郝顾龚邵万覃武钱戴严莫孔向常汤康易乔赖文施洪辛柯庄樊殷牛葛关宁齐祝耿颜申柴单包鲁兰左舒
    倪温欧苗焦鲍俞尚涂毕聂麦丘游甘安路伍卓华霍翟阮房靳解宫童凌梅盛管桂谷景冉晏戚滕柳邢纪蒲佘
    艾曲费岳仇卜褚阎""".replace("\n", "").replace(" ", "")
)

_RARER = """赖窦岑燕缪蓝蔺臧邬商尤酆鲁韶郜郦隋连练鞠翁卞甄裴荣栾娄强车汝阚扈闵庞屈晋
    穆喻贝水昌於潭刁芦利宗丰来诸储池巴冷楚权支柏仲邝符谈季杭詹章荆茅巩勾汲乐羊扶钮
    习佟门虞雍闻幸慕上刚冀奚贡郁饶全危宣边蒙惠庚粟佟荀竺隆励卫衡湛帅银伊封敖沙狄蓬
    郎明鄢阳钭覃禹薄雒敬戈位郭晁练尉瞿阙候铁原才司冼笪逯禤訾亓糜沐蓟綦仝郏昝阚佴亢咸揭宓麻
    冒储濮诸靖农邰戎芮羿蔚桑鄂""".replace("\n", "").replace(" ", "")

SURNAMES = frozenset(COMMON_SURNAMES | set(_RARER))


def surname_at(text: str, at: int, *, common_only: bool = False) -> str:
    """Return the surname a name at `at` starts with (two characters for 复姓), or ""."""
    pair = text[at : at + 2]
    if pair in COMPOUND_SURNAMES and len(text) - at >= 3:
        return pair
    lexicon = COMMON_SURNAMES if common_only else SURNAMES
    return text[at] if at < len(text) and text[at] in lexicon else ""
