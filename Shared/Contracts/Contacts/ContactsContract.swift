/// The contacts service's bus contract: methods, request and reply types, and events.
public enum ContactsContract: ServiceContract {
    public static let service = "contacts"

    /// The methods, each with the types it takes and answers.
    public enum Method {
        public static let create = method("create", CreateContactRequest.self, Contact.self)
        public static let get = method("get", ContactIdRequest.self, Contact.self)
        public static let list = method("list", ListContactsRequest.self, Page<Contact>.self)
        public static let update = method("update", UpdateContactRequest.self, Contact.self)
        public static let delete = method("delete", ContactIdRequest.self, Contact.self)
        public static let history = method("history", HistoryRequest.self, Page<HistoryEntry>.self)
        public static let restore = method("restore", ContactIdRequest.self, Contact.self)
        /// "Choose categories": replaces the contact's set.
        public static let setCategories = method("set_categories", SetCategoriesRequest.self, Contact.self)
        public static let link = method("link", LinkRequest.self, ContactLink.self)
        public static let unlink = method("unlink", LinkRequest.self, Done.self)
        public static let links = method("links", LinksRequest.self, [ContactLink].self)
        /// The cities of contacts or companies, for a filter's drop-down.
        public static let cities = method("cities", CitiesRequest.self, [String].self)
        /// Adds a number to a contact's phones (checked against its version) and links every
        /// unmatched call from it: "link to a contact" from the call log.
        public static let addPhone = method("add_phone", AddPhoneRequest.self, Contact.self)

        public static let createCompany = method("companies.create", CompanyInput.self, Company.self)
        public static let getCompany = method("companies.get", ContactIdRequest.self, Company.self)
        public static let listCompanies = method("companies.list", ListCompaniesRequest.self, Page<Company>.self)
        public static let updateCompany = method("companies.update", CompanyInput.self, Company.self)
        public static let deleteCompany = method("companies.delete", ContactIdRequest.self, Company.self)
        public static let restoreCompany = method("companies.restore", ContactIdRequest.self, Company.self)
        public static let setCompanyCategories = method("companies.set_categories", SetCategoriesRequest.self, Company.self)
        public static let companyHistory = method("companies.history", CompanyHistoryRequest.self, Page<HistoryEntry>.self)
        /// GDPR: anonymise a contact irreversibly.
        public static let anonymize = method("anonymize", ContactIdRequest.self, Contact.self)
        /// GDPR: contacts without activity for longer than settings' review period, oldest first.
        public static let gdprReview = method("gdpr_review", ReviewRequest.self, Page<Contact>.self)
        /// GDPR: mark a contact as reviewed and still needed (resets its activity clock).
        public static let touch = method("touch", ContactIdRequest.self, Contact.self)
        /// GDPR: everything held about one person, calls included (contacts pages through
        /// telephony's log for them).
        public static let exportPerson = method("export_person", ContactIdRequest.self, PersonExport.self)
        /// CSV import of contacts or companies (`ImportRequest` with `csv`).
        public static let importCSV = method("import_csv", ImportRequest.self, ImportReport.self)
        /// vCard import of contacts (`ImportRequest` with `vcf`).
        public static let importVCard = method("import_vcard", ImportRequest.self, ImportReport.self)
        /// A search result as CSV or vCards.
        public static let exportCSV = method("export_csv", ListContactsRequest.self, ExportFile.self)
        public static let exportVCard = method("export_vcard", ListContactsRequest.self, ExportFile.self)
        public static let exportCompaniesCSV = method("companies.export_csv", ListCompaniesRequest.self, ExportFile.self)
        public static let duplicates = method("duplicates", DuplicatesRequest.self, [DuplicateGroup].self)
        public static let merge = method("merge", MergeRequest.self, Contact.self)
        public static let companyDuplicates = method("companies.duplicates", DuplicatesRequest.self, [DuplicateGroup].self)
        public static let mergeCompanies = method("companies.merge", MergeRequest.self, Company.self)
        /// Removes for good what was deleted before the retention period (a separate, explicit action).
        public static let purge = method("purge", PurgeRequest.self, PurgeReport.self)
        public static let listFiles = method("files.list", FileAreaRequest.self, FileArea.self)
        public static let getFile = method("files.get", IdRequest.self, StoredFile.self)
        public static let createFolder = method("files.create_folder", FolderRequest.self, FileFolder.self)
        public static let updateFolder = method("files.update_folder", FolderRequest.self, FileFolder.self)
        public static let deleteFolder = method("files.delete_folder", IdRequest.self, Done.self)
        public static let uploadBegin = method("files.upload_begin", UploadBegin.self, UploadId.self)
        public static let uploadChunk = method("files.upload_chunk", UploadChunk.self, Done.self)
        public static let uploadCommit = method("files.upload_commit", UploadId.self, StoredFile.self)
        public static let updateFile = method("files.update", FileUpdate.self, StoredFile.self)
        public static let deleteFile = method("files.delete", IdRequest.self, Done.self)
        public static let readFile = method("files.read", FileRead.self, FileBytes.self)
        public static let createNote = method("notes.create", CreateNoteRequest.self, Note.self)
        public static let updateNote = method("notes.update", UpdateNoteRequest.self, Note.self)
        public static let deleteNote = method("notes.delete", ContactIdRequest.self, Done.self)
        public static let listNotes = method("notes.list", ListNotesRequest.self, Page<Note>.self)
        /// How many contacts use a reference item (answers settings; see `ReferenceOwnerContract`).
        public static let referenceUsage = ReferenceOwnerContract.usage(of: service)
        /// Move or clear every use of a reference item, in one transaction.
        public static let referenceMove = ReferenceOwnerContract.move(of: service)
    }

    /// Event types the service publishes.
    public enum Event {
        public static let created = "contact.created"
        public static let updated = "contact.updated"
        public static let deleted = "contact.deleted"
        public static let restored = "contact.restored"
        public static let linked = "contact.linked"
        public static let unlinked = "contact.unlinked"
        public static let companyCreated = "company.created"
        public static let companyUpdated = "company.updated"
        public static let companyDeleted = "company.deleted"
        public static let companyRestored = "company.restored"
        /// A contact was anonymised: other services scrub their copies (`ContactDeleted` payload).
        public static let anonymized = "contact.anonymized"
        /// `other_id` was merged into `survivor_id` (`MergeRequest` payload); `contact.updated` and
        /// `contact.deleted` follow for the two records.
        public static let merged = "contact.merged"
        public static let companiesMerged = "company.merged"
        public static let purged = "customers.purged"
        public static let fileStored = "file.stored"
        public static let fileChanged = "file.changed"
        public static let fileDeleted = "file.deleted"
        public static let noteCreated = "note.created"
        public static let noteUpdated = "note.updated"
        public static let noteDeleted = "note.deleted"
        /// Contacts moved from one reference item to another (or cleared of it): `ReferenceMoved`.
        public static let referenceMoved = "contact.reference_moved"
    }

    /// The most items one page holds.
    public static let maxPageSize = 200
}
