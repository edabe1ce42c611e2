# The staff back office's pages, in English (the fallback for every other language). Words
# shared with the portal's pages (sign-in, lists, forms, errors) are in portal.ftl.

staff-title = Back office
staff-sign-in-lead = Sign in with your staff account.
staff-nav-home = My work
staff-nav-settings = Settings
staff-greeting = Hello, { $name }

# Start page
work-assigned = { $module } assigned to me
work-assigned-empty = Nothing open is assigned to you.
work-waiting = { $module } waiting on the customer
work-waiting-empty = Nothing is waiting on a customer.
work-new = New { $module } from customers
work-new-empty = No new requests from customers.
view-all = View all

# Lists and records
filters = Filters
filter-me = Me
updated-at = Updated
created-at = Created
deleted = The record was deleted.
delete-title = Delete { $record }
delete-question = Delete { $record }? It disappears from lists and from the portal.
group-texts = Descriptions
group-system = Kept by Atrium
created-by-customer = Created by (customer)
modified-by-customer = Modified by (customer)
stale-edit = Someone else saved this record while you were editing it. Your changes are kept below: check them against the record as it is now, then save again.
link = Link
link-record = Link a record to { $module }
unlink = Unlink
link-saved = The records are linked.
link-removed = The link is removed.

# Comments
comment-kind = Kind of comment
reply-to-customer = Reply to customer
internal-note = Internal note
comment-text = Comment

# Contacts: portal access, invitation, activity
customer-portal = Customer Portal
portal-user-yes = This contact may sign in to the portal.
portal-user-no = This contact has no portal access.
portal-user-how = To give access, edit the contact and tick "Portal user"; the invitation goes out when you save.
invitation-none = No invitation: the contact is not a portal user.
invitation-sent = Invitation sent { $when }.
invitation-accepted = Invitation accepted { $when }: the password is set.
invitation-not-sent = No invitation has been sent yet.
invitation-sent-now = The invitation is on its way.
invitation-refused-no_email = No invitation was sent: the contact has no e-mail address.
invitation-refused-support_ended = No invitation was sent: the contact's support has ended.
invitation-refused-opted_out = No invitation was sent: the contact opted out of e-mail.
invitation-refused-portal_inactive = No invitation was sent: the portal is not active.
invitation-refused-unknown = No invitation was sent.
resend-invitation = Send the invitation again
view-as-customer = View as customer
activity = Activity
activity-filter = Show activity from
activity-all = All
activity-portal = Customer Portal
activity-email = Email
activity-staff = Staff
activity-empty = Nothing yet.
activity-kind-portal_login = Signed in to the portal
activity-kind-portal_logout = Signed out of the portal
activity-kind-portal_login_failed = A sign-in failed
activity-kind-portal_record_created = Created a record in the portal
activity-kind-portal_record_updated = Changed a record in the portal
activity-kind-portal_comment = Commented in the portal
activity-kind-quote_accepted = Accepted a quote in the portal
activity-kind-quote_rejected = Rejected a quote in the portal
activity-kind-password_changed = Changed the password
activity-kind-password_reset = Reset the password
activity-kind-password_reset_requested = Asked for a password reset
activity-kind-invitation_sent = Invitation sent
activity-kind-invitation_accepted = Invitation accepted
activity-kind-email_change_requested = Asked to change the e-mail address
activity-kind-email_changed = Changed the e-mail address
activity-kind-email_sent = E-mail sent
activity-kind-support_ending_sent = Told that support is ending

# View as customer
preview-title = View as customer
preview-heading = The portal as { $name } sees it
preview-lead = Read-only, in the portal { $portal }: exactly the menu, lists, records and fields the access rules give this contact.
preview-portals = Portals of this contact
preview-menu = Menu
preview-menu-empty = This contact sees no modules.
preview-actions = The contact may
preview-no-actions = The contact may only read this record.
preview-refused-inactive = The portal is not active: this contact could not sign in today.
preview-refused-no-access = The contact is not a portal user: they could not sign in today.
preview-refused-not-this-portal = This portal is not one of the contact's: they could not sign in to it.
preview-refused-not-yet = The contact's support has not started: they could not sign in today.
preview-refused-ended = The contact's support has ended: they could not sign in today.
access-read-only = read-only
access-read-write = editable
back-to-contact = Back to the contact

# Settings
settings-refused = Nothing was saved:
actions = Actions
settings-company = Company
settings-company-about = Name, address, time zone, accent color, language and logo.
settings-portals = Customer Portal
settings-portals-about = Your portals: details, layout of menu, home and records, profile layout.
settings-roles = Portal roles
settings-roles-about = What each role lets customers create, read, edit, delete and comment on.
settings-templates = E-mail templates
settings-templates-about = The mails customers and staff receive, with merge fields and a preview.
settings-email = E-mail
settings-email-about = Delivery settings, a test mail, and the outbox.
settings-users = Staff users
settings-users-about = Who works in the back office, and their role.

# Settings > Customer Portal
portal-new = New portal
portal-slug = Short name in the address (slug)
portal-address = Address
portal-state = State
portal-default = Default
portal-active-yes = Active
portal-active-no = Inactive
portal-activate = Activate
portal-deactivate = Deactivate
portal-make-default = Make default
portal-tabs = Parts of the portal's settings
portal-tab-details = Portal details
portal-tab-layout = Portal layout
portal-tab-profile = Profile layout
portal-name = Name
portal-title = Title on the sign-in page
portal-active = Active: customers can sign in
portal-custom-host = Custom host (e.g. support.example.com)
portal-css-url = Stylesheet address (CSS URL)
portal-default-assignee = Default assignee
portal-support-notification-days = Days before support ends to notify the contact
portal-login-template = Invitation template
portal-forgot-password-template = Forgot-password template
portal-default-scope = Default records scope
portal-session-idle-minutes = Sign out after minutes without activity
scope-mine = The contact's own records
scope-all = All records of the contact's organization
scope-default = The portal's default
portal-menu = Menu
portal-menu-hint = Tick the modules customers see; the numbers set their order.
portal-module = Module
portal-in-menu = In the menu
portal-order = Order
portal-show-module = Show { $module } in the menu
portal-order-of = Position of { $item }
portal-not-in-menu = not in the menu
portal-home = Home page
portal-announcement = Announcement
portal-greeting = Greeting
greeting-time-based = By time of day (Good morning, …)
portal-widgets = Widgets
portal-shortcuts = Shortcuts
portal-scope = Records scope
portal-actions = Customers may
portal-related = Related lists on the record page
portal-fields = Fields
portal-field = Field
portal-access = Access
access-hidden = hidden
widget-open-cases-by-priority = Open cases by priority
widget-case-resolution-time-by-priority = Resolution time by priority
widget-projects-by-status = Projects by status
widget-recent-cases = Recent cases
widget-recent-tickets = Recent tickets
widget-recent-faqs = Recent FAQs
widget-recent-documents = Recent documents
widget-account-representatives = Account representatives
widget-shortcuts = Shortcuts

# Settings > Portal roles
roles-lead = A role grants, per module, creating records and a level for reading, editing, deleting and commenting: none, own (created by the contact), contact, account (the organization), or all.
role-name = Name
role-new = New role
role-grid = Permissions of { $role }
level-none = None
level-own = Own
level-contact = Contact
level-account = Account
level-all = All
level-read = Read
level-comment = Comment

# Settings > E-mail templates
template-portal-invitation = Invites a contact to the portal.
template-portal-password-reset = Sends a link to set a new password.
template-support-ending = Tells a contact their support ends soon.
template-record-updated = Tells followers of a record about a reply or status change.
template-staff-customer-activity = Tells staff that a customer raised or commented on something.
template-subject = Subject
template-text = Text
template-html = HTML
template-preview = Preview
template-preview-button = Preview without saving
template-no-preview = The template does not render yet; see the messages above.
template-merge-fields = Merge fields
template-merge-hint = Write them as shown; links and names are filled in for each mail.
template-refused = The template cannot be used:

# Settings > E-mail
email-delivery = Delivery
email-delivery-hint = The mail server is set in the configuration; Atrium queues every mail and retries until it is delivered.
email-opted-out = Send invitations and password links to contacts who opted out of e-mail
email-test = Test mail
email-test-hint = Sends a mail to { $address } through the outbox.
email-test-button = Send a test mail
test-mail-queued = The test mail is queued; its state is in the outbox below.
email-outbox = Outbox
email-outbox-filter = Show mails
email-outbox-empty = No mails yet.
email-to = To
email-status = Status
email-attempts = Attempts
email-last-error = Last error
email-resend = Send again
outbox-queued = Queued
outbox-sent = Sent
outbox-failed = Failed

# Settings > Company
company-name = Name
company-address = Address
company-email = E-mail
company-phone = Phone
company-time-zone = Time zone (e.g. Europe/Berlin)
company-accent-color = Accent color
company-language = Default language
company-currency = Default currency
company-logo = Logo
company-no-logo = No logo yet.
company-logo-file = Image (PNG, JPEG, GIF or WebP, up to 2 MB)
company-logo-upload = Upload the logo
logo-choose = Choose an image first.
logo-too-large = The image is larger than 2 MB.

# Settings > Staff users
user-name = Name
user-role = Role
user-active = Active
user-you = you
user-new = New staff user
user-new-hint = Give them this first password; they can change it after signing in.
user-password = First password
role-agent = Agent
role-admin = Admin
profile-layout-contact = Contact fields
profile-layout-organization = Organization fields
