"""The offline snapshot server: ModernGov's URL scheme, conditional GETs, bundled and runtime faults."""

import urllib.error
import urllib.request

import pytest


def get(url, headers=None):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as r:
            return r.status, r.headers, r.read(), r.url
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read(), url


def test_snapshot_size_and_sources(server):
    sources = server.manifest()
    pages = [s for s in sources if not s["file"].endswith(".pdf")]
    pdfs = [s for s in sources if s["file"].endswith(".pdf")]
    assert len(pages) >= 40 and len(pdfs) >= 3
    assert len({s["council"] for s in sources}) >= 3
    assert {s["council"] for s in sources} <= set(server.councils)  # shared sites serve each member
    for s in sources:  # every bundled page names where its text and its markup came from
        assert s["source"] and s["markup"] and (server.root / s["file"]).exists()


def test_web_service_answers_committees_meetings_in_window_and_meeting(server):
    status, headers, body, _ = get(server.base_url_for("COV") + "/mgWebService.asmx/GetCommittees?lDummy=0")
    assert status == 200 and b"<committeeid>124</committeeid>" in body
    url = (
        server.base_url_for("COV")
        + "/mgWebService.asmx/GetMeetings?lCommitteeId=124&sFromDate=01/01/2018&sToDate=31/12/2018"
    )
    assert b"<meetingid>11482</meetingid>" in get(url)[2]
    url = url.replace("2018", "2019")
    assert b"<meetingid>" not in get(url)[2]


def test_web_service_switched_off_where_the_council_has_none(server):
    assert get(server.base_url_for("LND") + "/mgWebService.asmx/GetCommittees?lDummy=0")[0] == 404
    status, _, body, _ = get(server.base_url_for("LND") + "/mgListCommittees.aspx")
    assert status == 200 and b"mgCommitteeDetails.aspx?ID=" in body


def test_decision_listing_filters_by_date_range(server):
    base = server.base_url_for("SHF") + "/mgDelegatedDecisions.aspx?DR="
    body = get(base + "01%2f04%2f2021-31%2f05%2f2021")[2]
    assert b"ieDecisionDetails.aspx?ID=2797" in body and b"ID=2973" not in body


def test_aspx_pages_have_no_validators_and_changing_chrome_files_have_etags(server):
    url = server.base_url_for("SMT") + "/ieDecisionDetails.aspx?ID=423"
    status, headers, body, _ = get(url)
    assert status == 200 and headers["ETag"] is None and headers["Last-Modified"] is None
    assert get(url)[2] != body  # the chrome differs on every visit...
    content = body.split(b'<div id="modgov">')[1]
    assert get(url)[2].split(b'<div id="modgov">')[1] == content  # ...the content does not
    pdf = server.base_url_for("HAL") + "/documents/s48852/Missing%20from%20Home%20Preliminary%20Report.pdf"
    status, headers, _, _ = get(pdf)
    assert status == 200 and headers["ETag"]
    assert get(pdf, {"If-None-Match": headers["ETag"]})[0] == 304


def test_listings_in_both_views_and_the_officer_list(server):
    base = server.base_url_for("SHF") + "/mgDelegatedDecisions.aspx?DR=01%2f04%2f2021-31%2f05%2f2021"
    table, expanded = get(base + "&V=0")[2], get(base + "&V=1")[2]
    assert b"mgTabTable" in table and b"mgTabTable" not in expanded
    assert b"30/04/2021 - SCC Repairs" in expanded and b"ref: 2797</a>" in expanded
    officer = server.base_url_for("SMT") + "/mgListOfficerDecisions.aspx?DR=01%2f01%2f2023-31%2f12%2f2023"
    delegated = officer.replace("mgListOfficerDecisions", "mgDelegatedDecisions")
    assert b"ID=423" in get(officer)[2] and b"ID=423" not in get(delegated)[2]


def test_web_service_behind_a_firewall_answers_html_with_200(server):
    status, headers, body, _ = get(server.base_url_for("BOS") + "/mgWebService.asmx/GetCommittees?lDummy=0")
    assert status == 200 and headers["Content-Type"].startswith("text/html") and b"Request Rejected" in body


def test_bundled_faults(server):
    assert get(server.base_url_for("DAL") + "/ieDecisionDetails.aspx?ID=1515")[0] == 500
    status, headers, body, final = get(server.base_url_for("HAL") + "/ieDecisionDetails.aspx?ID=712")
    assert headers["Content-Type"] == "text/html; charset=windows-1252"
    assert "‘Highway Improvement Contract’".encode("cp1252") in body
    status, _, _, final = get(server.base_url_for("DAC") + "/ieDecisionDetails.aspx?ID=1516")
    assert status == 200 and "/(S(" in final  # redirected to a session URL
    status, _, _, final = get(server.base_url_for("LCE") + "/mgListCommittees.aspx")
    assert status == 200 and "/(S(t1fziw45wvh0zr45gujmstei))/" in final


def test_runtime_faults_apply_until_cleared(server):
    url = server.base_url_for("SMT") + "/ieDecisionDetails.aspx?ID=423"
    fault = server.inject("error", match="/SMT/ieDecision", status=503)
    assert get(url)[0] == 503 and fault.hits == 1
    server.clear_faults()
    assert get(url)[0] == 200
    server.inject("error", match="/SMT/", times=1)
    assert [get(url)[0], get(url)[0]] == [500, 200]
    server.clear_faults()


def test_runtime_content_faults(server):
    pdf = server.base_url_for("HAL") + "/documents/s48852/Missing%20from%20Home%20Preliminary%20Report.pdf"
    whole = get(pdf)[2]
    assert whole.startswith(b"%PDF-") and b"%%EOF" in whole[-64:]
    server.inject("corrupt_pdf", match="/HAL/documents/")
    assert len(get(pdf)[2]) < len(whole)
    server.inject("windows-1252", match="/SMT/")
    assert get(server.base_url_for("SMT") + "/ieDecisionDetails.aspx?ID=423")[1]["Content-Type"].endswith(
        "windows-1252"
    )
    server.inject("session_duplicate", match="/SHF/mgDelegated")
    body = get(server.base_url_for("SHF") + "/mgDelegatedDecisions.aspx?DR=01%2f01%2f2021-31%2f12%2f2021")[2]
    assert b'href="(S(' in body
    server.inject("robots", match="/TEN/")
    assert b"Disallow: /TEN/" in get(server.url + "/robots.txt")[2]
    with pytest.raises(ValueError):
        server.inject("flood")
    server.clear_faults()


def test_unknown_pages_are_404(server):
    assert get(server.base_url_for("HAL") + "/mgAi.aspx?ID=1")[0] == 404
    assert get(server.url + "/NOPE/mgAi.aspx?ID=1")[0] == 404
    with pytest.raises(KeyError):
        server.base_url_for("NOPE")
