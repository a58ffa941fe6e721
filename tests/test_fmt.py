import datetime as dt

from cadre_lib import fmt


def test_vietnamese_numbers():
    assert fmt.pct(0.273) == "27,3%"
    assert fmt.pct(0.27349) == "27,3%"
    assert fmt.pct(0.12345, 1) == "12,3%"
    assert fmt.pct(0.0005) == "0,1%"  # half up, as people round
    assert fmt.pct(None) == "–"
    assert fmt.number(12480) == "12.480"
    assert fmt.number(1234567.891, 2) == "1.234.567,89"
    assert fmt.share(0.2731707, 112, 410) == "27,3% (112/410)"
    assert fmt.target_pct(0.15) == "15%" and fmt.target_pct(0.125) == "12,5%"
    assert fmt.points(-0.012) == "1,2 điểm phần trăm"
    assert fmt.pct(0.273, lang="en") == "27.3%"


def test_vietnamese_dates():
    assert fmt.date(dt.date(2024, 12, 31)) == "31/12/2024"
    assert fmt.long_date(dt.date(2024, 12, 31), "Hưng Yên") == "Hưng Yên, ngày 31 tháng 12 năm 2024"
    assert fmt.long_date(dt.date(2024, 8, 1)) == "ngày 01 tháng 8 năm 2024"
    assert fmt.long_date(dt.date(2025, 2, 5)) == "ngày 05 tháng 02 năm 2025"


def test_status_words():
    assert [fmt.status_word(s) for s in ("green", "amber", "red", "none")] == [
        "Đạt", "Gần đạt", "Chưa đạt", "Chưa có mục tiêu"]


def test_timestamp():
    assert fmt.timestamp("2026-12-01T22:49:05+07:00") == "22:49 ngày 01/12/2026"
    assert fmt.timestamp("2026-03-09T08:05:00") == "08:05 ngày 09/03/2026"
    assert fmt.timestamp("not a time") == "not a time"
