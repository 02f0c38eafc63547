"""Imports of the files people really have (Tests/Python/fixtures/imports, see its README), posted
as they are through the gateway on real processes: with curl's --data-binary, as text/csv or
text/vcard, as Excel's UTF-16 "Unicode text", and as a form upload with Python's requests. Each
is checked field by field: where every value landed, and what was left out with a warning."""

import json
import os
import subprocess
import unittest

import requests
import vobject

from test_sales import System

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "imports")


def fixture(name):
    with open(os.path.join(FIXTURES, name), "rb") as file:
        return file.read()


class ImportFilesTest(unittest.TestCase):
    PASSWORD = "import-files-admin-password"

    @classmethod
    def setUpClass(cls):
        cls.system = System("crm-import-files-", cls.PASSWORD, CRM_DEFAULT_COUNTRY="NO")
        cls.api = cls.system.api

    @classmethod
    def tearDownClass(cls):
        cls.system.stop()

    def post(self, name, content_type, query=""):
        status, report = self.api("POST", "/api/v1/contacts/import" + query, raw=fixture(name),
                                  headers={"Content-Type": content_type})
        self.assertEqual(status, 200, report)
        return report

    def contact(self, report, index=0):
        status, contact = self.api("GET", "/api/v1/contacts/%d" % report["created_ids"][index])
        self.assertEqual(status, 200, contact)
        return contact

    def emails(self, contact):
        return [(e["kind"], e["address"]) for e in contact["emails"]]

    def phones(self, contact):
        return [(p["kind"], p["e164"]) for p in contact["phones"]]

    def address(self, contact):
        a = contact.get("address") or {}
        return (a.get("street"), a.get("postal_code"), a.get("city"), a.get("country"))

    def links(self, contact):
        status, links = self.api("GET", "/api/v1/contacts/%d/companies" % contact["id"])
        return [(l["company_name"], l.get("title")) for l in links]

    def notes(self, contact):
        status, page = self.api("GET", "/api/v1/contacts/%d/notes" % contact["id"])
        self.assertEqual(status, 200, page)
        return [n["text"] for n in page["items"]]

    def test_google_csv_as_a_form_upload_dry_run_first(self):
        url = self.system.base + "/api/v1/contacts/import"
        auth = {"Authorization": "Bearer " + self.system.token}
        files = {"file": ("contacts.csv", fixture("google.csv"), "text/csv")}
        dry = requests.post(url, headers=auth, files=files, data={"dry_run": "true"}, timeout=30).json()
        self.assertEqual((dry["dry_run"], dry["created"], dry["encoding"]), (True, 2, "UTF-8"), dry)
        went = {c["header"]: c.get("field") for c in dry["columns"]}
        self.assertEqual((went["Given Name"], went["Family Name"], went["E-mail 1 - Value"], went["Phone 1 - Value"],
                          went["Organization 1 - Name"], went["Organization 1 - Title"], went["Notes"]),
                         ("first_name", "last_name", "email", "phone", "company", "title", "notes"))
        self.assertNotIn("E-mail 1 - Type", dry["ignored_headers"])
        self.assertEqual([c.get("date_format") for c in dry["columns"] if c["header"] == "Birthday"], ["YYYY-MM-DD"])
        report = requests.post(url, headers=auth, files=files, timeout=30).json()
        self.assertEqual((report["created"], report["rejected_count"]), (2, 0), report)
        # Kari's birthday has no year (Google writes --06-01): imported without it, with a warning
        # naming her line (6: Åse's row spans lines 2 to 5, its quoted line breaks counted).
        self.assertEqual([(w["line"], "birthday" in w["reason"]) for w in report["warnings"]], [(6, True)])

        ase = self.contact(report)
        self.assertEqual((ase["first_name"], ase["last_name"], ase["title"], ase["birthday"]),
                         ("Åse", "Ødegård", "Innkjøper", "1970-03-14"))
        self.assertEqual(self.emails(ase), [("work", "ase.o@fjordkraft.no"), ("home", "ase@example.no"),
                                            ("other", "ase.other@example.no")])
        self.assertEqual(self.phones(ase), [("mobile", "+4741234567"), ("work", "+4755001122")])
        self.assertEqual(self.address(ase), ("Strømgaten 1", "5015", "Bergen", "NO"))
        self.assertEqual(self.links(ase), [("Fjordkraft AS", "Innkjøper")])
        self.assertEqual(self.notes(ase), ["Met at Nor-Shipping.\nCall after 15 May.\n\nWeb site: https://fjordkraft.no"])

        kari = self.contact(report, 1)
        self.assertEqual((kari["first_name"], kari["last_name"], kari.get("birthday")), ("Kari", "Nordmann", None))
        self.assertEqual(self.phones(kari), [("mobile", "+4790000001"), ("fax", "+4722000009")])
        self.assertEqual(self.links(kari), [("Havbris AS", "Daglig leder")])

    def test_outlook_windows_1252_with_curl_data_binary(self):
        # Exactly what a user types: curl's --data-binary, no Content-Type of our choosing.
        out = subprocess.run(
            ["curl", "-s", "--data-binary", "@" + os.path.join(FIXTURES, "outlook.csv"),
             "-H", "Authorization: Bearer " + self.system.token, self.system.base + "/api/v1/contacts/import"],
            capture_output=True, check=True, timeout=60).stdout
        report = json.loads(out)
        self.assertEqual((report["created"], report["encoding"]), (2, "Windows-1252"), report)
        self.assertEqual([c.get("date_format") for c in report["columns"] if c["header"] == "Birthday"], ["M/D/YYYY"])
        self.assertIn("Title", report["ignored_headers"])  # the salutation beside Job Title
        self.assertEqual(report["warning_count"], 0, report["warnings"])  # 0/0/00 is no date, not a bad one
        bjorn = self.contact(report)
        self.assertEqual((bjorn["first_name"], bjorn["last_name"], bjorn["title"], bjorn["birthday"]),
                         ("Bjørn", "Sæther", "Innkjøpssjef", "1970-03-14"))
        self.assertEqual(self.phones(bjorn), [("mobile", "+4791345678"), ("work", "+4777600000"), ("home", "+4777112233"),
                                              ("fax", "+4777600001")])
        self.assertEqual(self.emails(bjorn), [("work", "bjorn@nordlys.no"), ("work", "bjorn.s@privat.no")])
        self.assertEqual(self.address(bjorn), ("Havnegata 5", "9008", "Tromsø", "NO"))
        self.assertEqual(self.links(bjorn), [("Nordlys Shipping AS", "Innkjøpssjef")])
        self.assertEqual(self.notes(bjorn), ["Tidligere kunde – ønsker tilbud\n\nWeb site: http://nordlys.no"])
        john = self.contact(report, 1)
        self.assertEqual((john["first_name"], john["last_name"], john.get("title"), john.get("birthday")),
                         ("John", "Smith", None, None))
        self.assertEqual(self.phones(john), [("mobile", "+14155550100")])

    def test_norwegian_outlook_and_excel_and_24sevenoffice(self):
        report = self.post("outlook-no.csv", "text/csv")
        self.assertEqual((report["created"], report["encoding"]), (1, "UTF-8 with BOM"), report)
        sigrid = self.contact(report)
        self.assertEqual((sigrid["first_name"], sigrid["last_name"], sigrid["title"], sigrid["birthday"]),
                         ("Sigrid", "Løvås", "Prosjektleder", "1975-03-14"))
        self.assertEqual(self.phones(sigrid), [("mobile", "+4748123456"), ("work", "+4755123456")])
        self.assertEqual(self.emails(sigrid), [("work", "sigrid@bergenbygg.no")])
        self.assertEqual(self.address(sigrid), ("Bryggen 12", "5003", "Bergen", "NO"))
        self.assertEqual(self.links(sigrid), [("Bergen Bygg AS", "Prosjektleder")])
        self.assertEqual(self.notes(sigrid), ['Vil ha tilbud på "Premium"'])

        report = self.post("excel-no.csv", "text/csv; charset=windows-1252")
        self.assertEqual((report["rows"], report["created"], report["rejected_count"], report["encoding"]),
                         (3, 2, 1, "Windows-1252"), report)
        self.assertEqual(report["rejected"][0]["line"], 4)
        self.assertEqual([(w["line"], "ikke en adresse" in w["reason"]) for w in report["warnings"]], [(3, True)])
        oystein = self.contact(report)
        self.assertEqual((oystein["first_name"], oystein["last_name"]), ("Øystein", "Ærø"))
        self.assertEqual(self.phones(oystein), [("mobile", "+4741200000")])
        self.assertEqual(self.address(oystein), (None, "8006", "Bodø", None))
        self.assertEqual(self.links(oystein), [("Ærø Fiskeri AS", None)])
        grete = self.contact(report, 1)
        self.assertEqual((grete["first_name"], grete["emails"], self.phones(grete)), ("Grete", [], [("mobile", "+4741300000")]))

        report = self.post("24sevenoffice.csv", "text/csv")
        ingrid = self.contact(report)
        self.assertEqual((ingrid["first_name"], ingrid["last_name"], ingrid["title"]), ("Ingrid", "Haugen", "Regnskapsfører"))
        self.assertEqual(self.phones(ingrid), [("mobile", "+4793456789"), ("work", "+4773000000")])
        self.assertEqual(self.emails(ingrid), [("work", "ingrid@haugenregnskap.no")])
        self.assertEqual(self.address(ingrid), ("Munkegata 1", "7011", "Trondheim", "NO"))
        self.assertEqual(self.links(ingrid), [("Haugen Regnskap AS", "Regnskapsfører")])
        self.assertIn("Kundenr", report["ignored_headers"])

    def test_excel_unicode_text_in_polish(self):
        report = self.post("excel-unicode.txt", "text/plain", query="?date_format=DD.MM.YY")
        self.assertEqual((report["created"], report["encoding"]), (1, "UTF-16LE"), report)
        lucja = self.contact(report)
        self.assertEqual((lucja["first_name"], lucja["last_name"], lucja["birthday"]), ("Łucja", "Włodarczyk", "1970-03-14"))
        self.assertEqual(self.phones(lucja), [("work", "+48601234567")])
        self.assertEqual(self.emails(lucja), [("work", "lucja@lodzlog.pl")])
        self.assertEqual(self.address(lucja), ("Piotrkowska 1", "90-001", "Łódź", None))
        self.assertEqual(self.links(lucja), [("Łódź Logistyka Sp. z o.o.", None)])
        # Found without the Polish letters, the person and the company.
        status, page = self.api("GET", "/api/v1/contacts?q=wlodarczyk")
        self.assertEqual([c["id"] for c in page["items"]], [lucja["id"]])
        status, page = self.api("GET", "/api/v1/companies?q=lodz%20logistyka")
        self.assertEqual([c["name"] for c in page["items"]], ["Łódź Logistyka Sp. z o.o."])

    def test_the_crms_people_leave(self):
        maria = self.contact(self.post("hubspot.csv", "text/csv"))
        self.assertEqual((maria["first_name"], maria["last_name"], maria["title"]), ("Maria", "Müller", "Einkauf"))
        self.assertEqual(self.phones(maria), [("mobile", "+491512345678"), ("work", "+49301234567")])
        self.assertEqual(self.address(maria), ("Hauptstraße 5", "10115", "Berlin", "DE"))
        self.assertEqual(self.links(maria), [("Beispiel GmbH", "Einkauf")])

        per = self.contact(self.post("pipedrive.csv", "text/csv"))
        self.assertEqual((per["first_name"], per["last_name"], per["title"]), ("Per", "Sørensen", "Daglig leder"))
        self.assertEqual(self.emails(per), [("work", "per@sorensen.no"), ("home", "per@hjemme.no")])
        self.assertEqual(self.phones(per), [("mobile", "+4792233444"), ("work", "+4722334455")])
        self.assertEqual(self.links(per), [("Sørensen Rør AS", "Daglig leder")])

        helen = self.contact(self.post("espocrm.csv", "text/csv"))
        self.assertEqual((helen["first_name"], helen["last_name"], helen["title"]), ("Helen", "Clark", "CFO"))
        self.assertEqual(self.phones(helen), [("work", "+442079460000")])
        self.assertEqual(self.address(helen), ("1 King St", "EC2V 8AU", "London", "GB"))
        self.assertEqual(self.notes(helen), ["Prefers e-mail"])

        # Searched without their accents, as a user types.
        for query, who in [("muller", maria), ("sorensen", per)]:
            status, page = self.api("GET", "/api/v1/contacts?q=" + query)
            self.assertIn(who["id"], [c["id"] for c in page["items"]], query)

    def test_phone_cards_with_their_pictures(self):
        report = self.post("android.vcf", "text/x-vcard")
        self.assertEqual(report["created"], 1, report)
        ase = self.contact(report)
        self.assertEqual((ase["first_name"], ase["last_name"], ase["title"]), ("Åse", "Ødegård", "Innkjøper"))
        self.assertEqual(self.phones(ase), [("mobile", "+4741299567"), ("home", "+4722990001")])
        self.assertEqual(self.emails(ase), [("home", "ase@hjemme.no")])
        self.assertEqual(self.links(ase), [("Fjordkraft AS", "Innkjøper")])
        self.assertEqual(self.notes(ase), ["Møtt på messa, vil ha et tilbud på strøm til hele kontoret."])
        self.assert_picture(ase)

        # The iPhone's card as a form upload that names it only by its file name.
        response = requests.post(
            self.system.base + "/api/v1/contacts/import", headers={"Authorization": "Bearer " + self.system.token},
            files={"file": ("Per Hansen.vcf", fixture("iphone.vcf"), "application/octet-stream")}, timeout=30)
        report = response.json()
        self.assertEqual((response.status_code, report["created"]), (200, 1), report)
        per = self.contact(report)
        self.assertEqual((per["first_name"], per["last_name"], per["title"], per["birthday"]),
                         ("Per", "Hansen", "Sjåfør", "1982-11-02"))
        self.assertEqual(self.phones(per), [("mobile", "+4791122333"), ("work", "+4722112233")])
        self.assertEqual(self.emails(per), [("work", "per@hansentransport.no")])
        self.assertEqual(self.address(per), ("Kaigata 3", "0150", "Oslo", "NO"))
        self.assertEqual(self.links(per), [("Hansen Transport AS", "Sjåfør")])
        self.assertEqual(self.notes(per), ["Leverer på tirsdager, helst før 10.\n\nWeb site: https://hansentransport.no"])
        self.assert_picture(per)

    def assert_picture(self, contact):
        self.assertIsNotNone(contact.get("picture_file_id"), contact)
        status, area = self.api("GET", "/api/v1/contacts/%d/files" % contact["id"])
        pictures = [f for f in area["files"] if f["id"] == contact["picture_file_id"]]
        self.assertEqual([f["content_type"] for f in pictures], ["image/jpeg"], area)
        content = requests.get(self.system.base + "/api/v1/files/%d/content" % contact["picture_file_id"],
                               headers={"Authorization": "Bearer " + self.system.token}, timeout=30)
        self.assertEqual(content.content[:3], b"\xff\xd8\xff")

    def test_vcards_vobject_writes_in_3_0_and_4_0_round_trip(self):
        for version in ("3.0", "4.0"):
            card = vobject.vCard()
            card.add("version").value = version
            card.add("n").value = vobject.vcard.Name(family="Sæbø-Ødegård", given="Mari")
            card.add("fn").value = "Mari Sæbø-Ødegård"
            card.add("org").value = ["Vestland Energi AS"]
            card.add("title").value = "Innkjøper; strøm, gass"
            mobile = card.add("tel")
            mobile.value = "+47 400 00 %03d" % (1 if version == "3.0" else 2)
            mobile.type_param = "CELL"
            home = card.add("email")
            home.value = "mari%s@hjemme.no" % version[0]
            home.type_param = "HOME"
            card.add("note").value = "Linje én\nLinje to; med semikolon, og komma"
            card.add("bday").value = "1988-02-29"
            text = card.serialize()
            self.assertIn("VERSION:" + version, text)
            status, report = self.api("POST", "/api/v1/contacts/import", raw=text.encode(),
                                      headers={"Content-Type": "text/vcard"})
            self.assertEqual((status, report["created"]), (200, 1), (version, report))
            mari = self.contact(report)
            self.assertEqual((mari["first_name"], mari["last_name"], mari["title"], mari["birthday"]),
                             ("Mari", "Sæbø-Ødegård", "Innkjøper; strøm, gass", "1988-02-29"))
            self.assertEqual(self.emails(mari), [("home", "mari%s@hjemme.no" % version[0])])
            self.assertEqual(self.notes(mari), ["Linje én\nLinje to; med semikolon, og komma"])
            # And back out as vCard 4.0, read by vobject: the same person.
            exported = requests.get(self.system.base + "/api/v1/contacts/%d/vcard" % mari["id"],
                                    headers={"Authorization": "Bearer " + self.system.token}, timeout=30).text
            back = vobject.readOne(exported)
            self.assertEqual((back.n.value.family, back.n.value.given, back.title.value, back.org.value[0]),
                             ("Sæbø-Ødegård", "Mari", "Innkjøper; strøm, gass", "Vestland Energi AS"))
            self.assertEqual([(t.value, t.params.get("TYPE")) for t in back.tel_list],
                             [(mari["phones"][0]["e164"], ["cell"])])
            self.assertEqual(back.email.value, "mari%s@hjemme.no" % version[0])

    def test_bad_files_are_clear_errors(self):
        cases = [
            (b"first_name,last_name\n\"Kari,Nordmann\n", "text/csv", 409, "line 2"),
            (b"   \n", "text/csv", 409, "empty"),
            (b"", "text/vcard", 409, "empty"),
            (b"color,size\nred,10\n", "text/csv", 409, "no column maps"),
            (b"BEGIN:VCARD\nVERSION:3.0\nTEL:123\nEND:VCARD\n", "text/vcard", 409, "no name"),
        ]
        for body, content_type, code, words in cases:
            status, error = self.api("POST", "/api/v1/contacts/import", raw=body, headers={"Content-Type": content_type})
            self.assertEqual(status, code, (body, error))
            self.assertIn(words, error["error"]["message"], body)
        status, error = self.api("POST", "/api/v1/contacts/import?dry_run=maybe", raw=b"first_name\nKari\n",
                                 headers={"Content-Type": "text/csv"})
        self.assertEqual(status, 422, error)
        response = requests.post(self.system.base + "/api/v1/contacts/import",
                                 headers={"Authorization": "Bearer " + self.system.token},
                                 files={"other": ("x.csv", b"first_name\nKari\n", "text/csv")}, timeout=30)
        self.assertEqual(response.status_code, 422, response.text)
        status, error = self.api("POST", "/api/v1/companies/import", raw=fixture("iphone.vcf"),
                                 headers={"Content-Type": "text/vcard"})
        self.assertEqual(status, 409, error)


if __name__ == "__main__":
    unittest.main()
