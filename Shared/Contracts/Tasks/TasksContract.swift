/// The tasks service's bus contract: tasks and their board, appointments with their
/// invitations and answers, the calendar of several users, and calendar feeds.
public enum TasksContract: ServiceContract {
    public static let service = "tasks"

    public enum Method {
        public static let createTask = method("tasks.create", CreateTaskRequest.self, TaskItem.self)
        public static let getTask = method("tasks.get", IdRequest.self, TaskItem.self)
        public static let listTasks = method("tasks.list", ListTasksRequest.self, Page<TaskItem>.self)
        public static let updateTask = method("tasks.update", UpdateTaskRequest.self, TaskItem.self)
        public static let moveTask = method("tasks.move", MoveTaskRequest.self, TaskItem.self)
        public static let completeTask = method("tasks.complete", TaskVersionRequest.self, TaskItem.self)
        public static let reopenTask = method("tasks.reopen", TaskVersionRequest.self, TaskItem.self)
        public static let deleteTask = method("tasks.delete", TaskVersionRequest.self, TaskItem.self)
        public static let board = method("tasks.board", TaskBoardRequest.self, TaskBoard.self)

        public static let createAppointment = method("appointments.create", SaveAppointmentRequest.self, Appointment.self)
        public static let getAppointment = method("appointments.get", IdRequest.self, Appointment.self)
        public static let listAppointments = method("appointments.list", ListAppointmentsRequest.self, Page<Appointment>.self)
        public static let updateAppointment = method("appointments.update", SaveAppointmentRequest.self, Appointment.self)
        /// Cancels it; attendees who were sent the confirmation get METHOD:CANCEL.
        public static let cancelAppointment = method("appointments.cancel", AppointmentVersionRequest.self, Appointment.self)
        /// "Send meeting confirmation": an iMIP REQUEST to every attendee with an address.
        public static let sendInvitations = method("appointments.send_invitations", AppointmentVersionRequest.self, Appointment.self)
        /// The appointment as a single .ics (METHOD:PUBLISH).
        public static let appointmentICS = method("appointments.ics", IdRequest.self, CalendarObject.self)

        public static let calendar = method("calendar.occurrences", CalendarRequest.self, [Occurrence].self)
        public static let listFeeds = method("feeds.list", NoParameters.self, [CalendarFeed].self)
        public static let createFeed = method("feeds.create", CreateFeedRequest.self, CalendarFeed.self)
        public static let rotateFeed = method("feeds.rotate", IdRequest.self, CalendarFeed.self)
        public static let revokeFeed = method("feeds.revoke", IdRequest.self, CalendarFeed.self)
        /// The public feed by its token (the gateway asks without a user).
        public static let readFeed = method("feeds.read", SecretTokenRequest.self, CalendarObject.self)
        /// An attendee's answer link (public, by token): what it is for, and the answer.
        public static let rsvpView = method("rsvp.view", SecretTokenRequest.self, RSVPView.self)
        public static let rsvpAnswer = method("rsvp.answer", SecretTokenRequest.self, RSVPView.self)

        /// Settings asks how many tasks use a task category, and moves them.
        public static let referenceUsage = ReferenceOwnerContract.usage(of: service)
        public static let referenceMove = ReferenceOwnerContract.move(of: service)
    }

    public enum Event {
        public static let taskCreated = "task.created"
        public static let taskUpdated = "task.updated"
        public static let taskCompleted = "task.completed"
        public static let taskDeleted = "task.deleted"
        public static let appointmentCreated = "appointment.created"
        public static let appointmentUpdated = "appointment.updated"
        public static let appointmentCancelled = "appointment.cancelled"
        public static let attendeeResponded = "attendee.responded"
    }

    public static let maxPageSize = 200
    /// The most occurrences one calendar answer or feed holds.
    public static let maxOccurrences = 20_000
}
