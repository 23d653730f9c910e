#!/usr/bin/env python3
"""Write tests/vectors/golden.jsonl: damage applied to sentences written for the tests, with the
expected repair. The C, Python and Lua tests all read this file.
usage: gen_golden.py [OUT]"""
import base64
import json
import os
import sys

SENTENCES = [
    "发送成功",
    "文件不存在，请检查路径。",
    "我们明天上午十点在会议室讨论新版本的发布计划。",
    "这个程序会读取配置文件并启动后台服务。",
    "数据库连接失败，请稍后重试。",
    "欢迎使用中文输入法",
    "北京时间今天下午，国家统计局发布了最新的经济数据。",
    "请输入用户名和密码",
    "网络连接已断开",
    "保存设置",
]

WIN_LAYERS = [("utf-8", "gbk"), ("utf-8", "big5"), ("utf-8", "shift_jis"), ("utf-8", "euc_kr"),
              ("gbk", "big5"), ("utf-8", "cp932"), ("utf-8", "cp949")]


def sloppy_1252(b):
    return "".join(chr(x) if x in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else bytes([x]).decode("cp1252") for x in b)


def cases():
    for i, s in enumerate(SENTENCES):
        yield {"name": "clean-%d" % i, "input": s, "expected": s, "changed": False}
        u = s.encode("utf-8")
        yield {"name": "utf8>latin1-%d" % i, "input": u.decode("latin-1"), "expected": s, "changed": True}
        yield {"name": "utf8>cp1252-%d" % i, "input": sloppy_1252(u), "expected": s, "changed": True}
        g = s.encode("gbk")
        yield {"name": "gbk>latin1-%d" % i, "input": g.decode("latin-1"), "expected": s, "changed": True}
        yield {"name": "bytes:gbk-%d" % i, "input_b64": base64.b64encode(g).decode(), "expected": s, "changed": True}
        try:
            m = u.decode("gbk")
            if m.encode("gbk") == u:
                yield {"name": "utf8>gbk-%d" % i, "input": m, "expected": s, "changed": True}
        except UnicodeDecodeError:
            pass
        for enc, dec in WIN_LAYERS:
            try:
                b = s.encode(enc)
                m = b.decode(dec)
                if m.encode(dec) != b or m == s:
                    continue
            except (UnicodeDecodeError, UnicodeEncodeError):
                continue
            yield {"name": "%s>%s-%d" % (enc, dec, i), "input": m, "expected": s, "changed": True}
        try:
            two = u.decode("latin-1").encode("utf-8").decode("latin-1")
            yield {"name": "utf8>latin1x2-%d" % i, "input": two, "expected": s, "changed": True}
        except UnicodeError:
            pass
        yield {"name": "uescape-%d" % i, "input": s.encode("unicode_escape").decode("ascii"), "expected": s,
               "changed": True}
        yield {"name": "percent-%d" % i, "input": "".join("%%%02X" % x if x > 127 else chr(x) for x in u),
               "expected": s, "changed": True}
        yield {"name": "mime-%d" % i, "input": "=?gb2312?B?" + base64.b64encode(g).decode() + "?=",
               "expected": s, "changed": True}
        yield {"name": "hz-%d" % i, "input": s.encode("hz").decode("ascii"), "expected": s, "changed": True}
        yield {"name": "bytes:utf-16le-%d" % i, "input_b64": base64.b64encode(b"\xff\xfe" + s.encode("utf-16-le")).decode(),
               "expected": s, "changed": True}
        yield {"name": "ncr-%d" % i, "input": "".join("&#%d;" % ord(c) if ord(c) > 127 else c for c in s),
               "expected": s, "changed": True}
    for name, text in [("en", "Hello, world. This is plain English text."),
                       ("ja", "これは日本語の文章です。"),
                       ("ko", "한국어 문장은 그대로 둡니다"),
                       ("emoji", "今天很开心 😀👍"),
                       ("code", "if (x < 10) { printf(\"%d\\n\", x); }"),
                       ("empty", "")]:
        yield {"name": "control-" + name, "input": text, "expected": text, "changed": False}
    yield {"name": "nul-bytes", "input": "中文\u0000文本", "expected": "中文\u0000文本", "changed": False}
    yield {"name": "t2s", "input": "這個軟體的設定檔不存在", "expected": "这个软体的设定档不存在", "changed": True}
    yield {"name": "t2s-keep", "input": "這個設定", "target": "keep", "expected": "這個設定", "changed": False}
    yield {"name": "pinyin", "input": "自治區(qū)重點(diǎn)工業(yè)項(xiàng)目", "expected": "自治区重点工业项目", "changed": True}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "tests", "vectors", "golden.jsonl")
    with open(out, "w", encoding="utf-8") as f:
        for c in cases():
            c.setdefault("target", "hans")
            f.write(json.dumps(c, ensure_ascii=False, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
