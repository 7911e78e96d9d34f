"""Scrapes in languages beyond the six first ones, through `cleaner clean` as a user runs it.

The fixtures (tests/fixtures/multilingual) are made-up blog posts (Japanese, Russian, Chinese) scraped whole: skip link,
breadcrumb, headline, date, body, share bar, related block, comment form and footer links. The
Korean one is plain prose: the rules name no Korean phrasing, and the summary says so once.
"""
from __future__ import annotations

import shutil

from conftest import FIXTURES, read_jsonl

ML = FIXTURES / "multilingual"

CHROME = {
    "ja": ["コンテンツへスキップ", "ホーム > 暮らし > 料理", "この記事をシェアする", "ツイート", "はてなブックマーク", "LINEで送る", "関連記事",
           "おすすめ記事", "コメントを残す", "メールアドレスが公開されることはありません。 ※ が付いている欄は必須項目です", "コメントを送信",
           "プライバシーポリシー", "お問い合わせ"],
    "ru": ["Перейти к содержимому", "Главная / Путешествия / Россия", "Поделиться", "ВКонтакте", "Одноклассники", "Читайте также",
           "Похожие записи", "Добавить комментарий", "Ваш адрес email не будет опубликован. Обязательные поля помечены *",
           "Отправить комментарий", "Политика конфиденциальности", "Все права защищены"],
}
CHROME["zh"] = ["跳至内容", "首页 > 生活 > 旅行", "分享到：", "微信", "微博", "相关文章", "猜你喜欢", "发表评论",
                "您的电子邮箱地址不会被公开。 必填项已用 * 标注", "提交评论", "隐私政策", "版权所有 © 2024 示例旅行网"]
HEADLINE = {"ja": "週末に作る、かんたん味噌ラーメンの記録", "ru": "Три дня в Казани: маршрут для первой поездки",
            "zh": "在杭州西湖边度过的一个周末"}


def _source_lines(name: str) -> list[str]:
    return [l for l in (ML / name).read_text(encoding="utf-8").splitlines() if l.strip()]


def test_japanese_russian_and_chinese_chrome_goes_headline_and_body_stay(run_cli, tmp_path):
    out = tmp_path / "c.jsonl"
    code, _, err = run_cli("clean", ML, "-o", out)
    assert code == 0, err
    records = {r["lang"]: r for r in read_jsonl(out)}
    assert set(records) == {"ja", "ru", "zh", "ko"}
    for lang, name in (("ja", "ja_blog.txt"), ("ru", "ru_blog.txt"), ("zh", "zh_blog.txt")):
        kept = records[lang]["text"].splitlines()
        for line in CHROME[lang]:
            assert line not in kept, f"{lang}: chrome line kept: {line}"
        assert kept[0] == HEADLINE[lang]
        assert records[lang]["title"] == HEADLINE[lang]
        body = [l for l in _source_lines(name) if l.endswith(("。", "."))]
        assert len(body) == 3 and all(l in kept for l in body), f"{lang}: a body paragraph was lost"
        # every source line is either kept or one of the chrome lines (nothing else was touched)
        assert sorted(set(_source_lines(name)) - set(kept)) == sorted(CHROME[lang])
    assert records["ko"]["text"].splitlines() == _source_lines("ko_blog.txt")


def test_summary_names_languages_without_rules_once(run_cli, tmp_path):
    code, _, err = run_cli("clean", ML, "-o", tmp_path / "c.jsonl")
    assert code == 0
    assert err.count("no chrome rules") == 1
    assert "  no chrome rules for ko: 1 document\n" in err + "\n"
    for covered in ("ja:", "ru:", "zh:"):
        assert f"no chrome rules for {covered}" not in err and f", {covered}" not in err.split("no chrome rules")[1]


def test_no_coverage_line_when_every_language_is_covered(run_cli, tmp_path):
    docs = tmp_path / "in"
    docs.mkdir()
    for name in ("ja_blog.txt", "ru_blog.txt"):
        shutil.copy(ML / name, docs / name)
    code, _, err = run_cli("clean", docs, "-o", tmp_path / "c.jsonl")
    assert code == 0 and "languages: ja 1, ru 1" in err
    assert "no chrome rules" not in err


def test_quiet_run_prints_no_coverage_line(run_cli, tmp_path):
    code, _, err = run_cli("clean", ML, "-o", tmp_path / "c.jsonl", "-q")
    assert code == 0 and "no chrome rules" not in err
