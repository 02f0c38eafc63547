"""Imports from what people really export, through the gateway on real processes: a vCard that
Python's vobject writes (3.0), and a Google Contacts CSV whose dry run shows where each column went."""

import unittest

import vobject

from test_sales import System


class ImportsTest(unittest.TestCase):
    PASSWORD = "imports-admin-password"

    @classmethod
    def setUpClass(cls):
        cls.system = System("crm-imports-", cls.PASSWORD)
        cls.api = cls.system.api

    @classmethod
    def tearDownClass(cls):
        cls.system.stop()

    def test_a_vcard_vobject_writes(self):
        card = vobject.vCard()
        card.add("n").value = vobject.vcard.Name(family="Ødegård", given="Åse")
        card.add("fn").value = "Åse Ødegård"
        card.add("org").value = ["Fjordkraft AS"]
        card.add("title").value = "Innkjøper"
        tel = card.add("tel")
        tel.value = "+47 412 34 567"
        tel.type_param = "CELL"
        work = card.add("tel")
        work.value = "+47 55 00 11 22"
        work.type_param = "WORK"
        mail = card.add("email")
        mail.value = "ase@fjordkraft.no"
        mail.type_param = "WORK"
        card.add("adr").value = vobject.vcard.Address(street="Strømgaten 1", city="Bergen", code="5015", country="Norway")
        card.add("bday").value = "1970-03-14"
        text = card.serialize()
        self.assertIn("VERSION:3.0", text)
        status, report = self.api("POST", "/api/v1/contacts/import", {"vcf": text})
        self.assertEqual((status, report["created"]), (200, 1), report)
        status, contact = self.api("GET", "/api/v1/contacts/%d" % report["created_ids"][0])
        self.assertEqual((contact["first_name"], contact["last_name"], contact["title"], contact["birthday"]),
                         ("Åse", "Ødegård", "Innkjøper", "1970-03-14"))
        self.assertEqual([p["kind"] for p in contact["phones"]], ["mobile", "work"])
        self.assertEqual(contact["emails"][0]["address"], "ase@fjordkraft.no")
        self.assertEqual((contact["address"]["street"], contact["address"]["postal_code"], contact["address"]["country"]),
                         ("Strømgaten 1", "5015", "NO"))
        status, links = self.api("GET", "/api/v1/contacts/%d/companies" % contact["id"])
        self.assertEqual([l["company_name"] for l in links], ["Fjordkraft AS"])

    def test_a_google_csv_maps_itself_and_the_dry_run_says_where(self):
        csv = ("Name,Given Name,Family Name,Birthday,E-mail 1 - Type,E-mail 1 - Value,Phone 1 - Type,Phone 1 - Value,"
               "Organization 1 - Name\n"
               "Kari Nordmann,Kari,Nordmann,3/14/1970,* Work,kari@example.no ::: kari@home.no,Mobile,+47 900 55 666,Havbris AS\n")
        status, dry = self.api("POST", "/api/v1/contacts/import", {"csv": csv, "dry_run": True})
        self.assertEqual((status, dry["created"]), (200, 1), dry)
        went = {c["header"]: c.get("field") for c in dry["columns"]}
        self.assertEqual((went["Given Name"], went["E-mail 1 - Value"], went["E-mail 1 - Type"]), ("first_name", "email", None))
        self.assertEqual([c.get("date_format") for c in dry["columns"] if c["header"] == "Birthday"], ["M/D/YYYY"])
        status, report = self.api("POST", "/api/v1/contacts/import", {"csv": csv})
        contact = self.api("GET", "/api/v1/contacts/%d" % report["created_ids"][0])[1]
        self.assertEqual([e["address"] for e in contact["emails"]], ["kari@example.no", "kari@home.no"])
        self.assertEqual(contact["birthday"], "1970-03-14")


if __name__ == "__main__":
    unittest.main()
