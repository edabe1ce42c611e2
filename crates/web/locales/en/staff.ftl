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
