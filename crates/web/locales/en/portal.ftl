# The customer portal's pages, in English (the fallback for every other language).

skip-to-content = Skip to content
nav-label = Main
nav-home = Home
nav-faqs = FAQ
nav-profile = Profile
sign-out = Sign out
powered-by = Customer portal of { $company }

# Sign-in
sign-in-title = Sign in
sign-in-lead = Sign in to follow your requests and raise new ones.
email = E-mail
password = Password
sign-in = Sign in
forgot-password = Forgot password?
signed-out-idle = You were signed out after a while without activity. Please sign in again.
signed-out = You are signed out.
refused-credentials = The e-mail address or password is not right.
refused-throttled = Too many attempts. Please try again in { $minutes ->
    [one] a minute
   *[other] { $minutes } minutes
}.
refused-busy = We are busy signing people in. Please try again in a moment.
refused-support-not-started = Your support has not started yet.
refused-support-ended = Your support has ended.
refused-no-access = This account has no access to the portal.
refused-portal-inactive = This portal is closed at the moment.
refused-generic = You cannot sign in here: { $reason }
form-expired = The form had expired. Please try again.

# Home
greeting-standard = Welcome to the portal
greeting-morning = Good morning, { $name }
greeting-afternoon = Good afternoon, { $name }
greeting-evening = Good evening, { $name }
greeting-morning-anonymous = Good morning
greeting-afternoon-anonymous = Good afternoon
greeting-evening-anonymous = Good evening
announcement = Announcement
chart-open_cases_by_priority = Open cases by priority
chart-case_resolution_time_by_priority = Resolution time by priority
chart-projects_by_status = Projects by status
chart-empty = Nothing to show yet.
chart-table-caption = Figures of the chart “{ $chart }”
chart-label = Label
chart-value = Value
hours = { $value ->
    [one] { $value } hour
   *[other] { $value } hours
}
recent-cases = Recent cases
recent-tickets = Recent tickets
recent-faqs = Recent FAQs
recent-documents = Recent documents
recent-empty = Nothing here yet.
representatives = Your contacts here
shortcuts = Shortcuts
shortcut-add-document = Add a document
shortcut-create-ticket = New ticket
shortcut-create-case = New case
shortcut-open-tickets = My tickets
shortcut-open-cases = My cases
see-all = See all

# Lists
search = Search
search-in = Search { $module }
filter-status = Status
filter-any = Any
apply = Apply
count = { $total ->
    [0] No records
    [one] One record
   *[other] { $total } records
}
page-of = Page { $page } of { $pages }
previous-page = Previous
next-page = Next
pagination = Pages
empty-list = There is nothing here yet.
empty-list-create = Create the first one with “{ $action }”.
empty-search = Nothing matches your search. Try other words or clear the filters.
clear-filters = Clear filters
sort-by = Sort by { $field }
sorted-ascending = sorted ascending
sorted-descending = sorted descending
new-record = New { $module }
number = Number
updated = Updated

# Record page
details = Details
edit = Edit
delete = Delete
delete-confirm = Delete this record? This cannot be undone.
export-pdf = Export PDF
create-invoice = Create invoice
follow = Follow
unfollow = Unfollow
following = You follow this record and get an e-mail when it changes.
comments = Comments
no-comments = No comments yet.
add-comment = Add a comment
comment-body = Your comment
comment-hint = Markdown works: **bold**, *italic*, lists and links.
post-comment = Post comment
from-staff = Support team
from-you = You
from-customer = Customer
updates = History
no-updates = No changes yet.
changed-from-to = { $field }: { $old } → { $new }
related = Related { $module }
download = Download
file = File
none = —
lines-editor-hint = One line per row: a product, a service or a description, the quantity and the unit price (a product or service fills in its own price when left empty). Blank rows are ignored; save to get more rows. Atrium computes each line’s net and tax and the totals.
yes = Yes
no = No

# Forms
save = Save
create = Create
cancel = Cancel
required = required
choose = Choose…
form-errors = Please correct the marked fields.
read-only-values = Shown, not editable

# FAQ
faqs-title = Frequently asked questions
faqs-search = Search the FAQ
faqs-results = { $total ->
    [0] No answers match “{ $q }”.
    [one] One answer matches “{ $q }”.
   *[other] { $total } answers match “{ $q }”.
}
faqs-empty = There are no questions here yet.
uncategorized = General

# Profile
profile-title = Your profile
profile-contact = Your details
profile-organization = Your organization
notifications = Notifications
notify-on-updates = E-mail me when my requests change
change-email = Change e-mail address
new-email = New e-mail address
change-email-send = Send confirmation link
email-change-pending = We sent a confirmation link to { $email }. The address changes once you open it.
change-password = Change password
current-password = Current password
new-password = New password
password-policy = At least 12 characters; a phrase of several words is easy to remember and hard to guess.
saved = Saved.
password-changed = Your password is changed.

# Invitation and reset
invitation-title = Set your password
invitation-lead = Welcome! Choose a password to start using the portal.
reset-title = Choose a new password
forgot-title = Forgot your password?
forgot-lead = Enter your e-mail address and we will send you a link to choose a new password.
forgot-send = Send link
forgot-sent = If that address belongs to an account here, a link is on its way. It is valid for a limited time.
link-invalid = This link is no longer valid. Ask for a new one.
set-password = Set password

# Errors
error-not-found-title = Not found
error-not-found = This page does not exist, or it is not yours to see.
error-forbidden-title = Not allowed
error-forbidden = You may not do this here.
error-conflict-title = Changed meanwhile
error-conflict = Someone changed this record while you were editing it. Reload and try again.
error-unavailable-title = Please try again
error-unavailable = We are busy at the moment. Please try again shortly.
error-server-title = Something went wrong
error-server = Something went wrong on our side. Please try again.
back-home = Back to the home page

# Modules and fields of the standard metadata (fields an admin adds show their own label).
module-organizations = Organizations
module-contacts = Contacts
module-cases = Cases
module-tickets = Tickets
module-documents = Documents
module-faqs = FAQs
module-projects = Projects
module-project_tasks = Project tasks
module-project_milestones = Project milestones
module-products = Products
module-services = Services
module-assets = Assets
module-one-organizations = organization
module-one-contacts = contact
module-one-cases = case
module-one-tickets = ticket
module-one-documents = document
module-one-faqs = FAQ
module-one-projects = project
module-one-project_tasks = project task
module-one-project_milestones = milestone
module-one-products = product
module-one-services = service
module-one-assets = asset
field-title = Title
field-name = Name
field-status = Status
field-priority = Priority
field-severity = Severity
field-category = Category
field-channel = Channel
field-folder = Folder
field-case_type = Type
field-project_type = Type
field-milestone_type = Type
field-description = Description
field-resolution = Resolution
field-solution = Solution
field-question = Question
field-answer = Answer
field-notes = Notes
field-file = File
field-contact = Contact
field-organization = Organization
field-project = Project
field-product = Product
field-service = Service
field-assigned_to = Assigned to
field-created_by = Created by
field-modified_by = Modified by
field-resolved_at = Resolved at
field-closed_at = Closed at
field-start_date = Start date
field-end_date = End date
field-target_end_date = Target end date
field-actual_end_date = Actual end date
field-milestone_date = Milestone date
field-progress = Progress
field-hours = Hours
field-first_name = First name
field-last_name = Last name
field-email = E-mail
field-secondary_email = Secondary e-mail
field-phone = Phone
field-mobile = Mobile
field-department = Department
field-website = Website
field-language = Language
field-notify_on_updates = Notify on updates
field-support_start_date = Support start date
field-support_end_date = Support end date
field-serial_number = Serial number
field-part_number = Part number
field-unit_price = Unit price
field-usage_unit = Usage unit
field-date_sold = Date sold
field-warranty_end_date = Warranty end date
field-number = Number
field-created_at = Created
field-updated_at = Updated

# Added with the account pages
email-change-hint = A new address applies once you open the link we send to it.
email-confirmed = Your new e-mail address is confirmed. Sign in with it from now on.
email-confirm-title = Confirm your e-mail address
email-confirm-lead = Confirm that this is your new e-mail address for the portal.
confirm = Confirm
password-set = Your password is set. You can sign in now.
language-automatic = As my browser says
language-en = English
language-de = Deutsch (German)
error-invalid-title = This cannot be shown

## Quotes and invoices
module-quotes = Quotes
module-invoices = Invoices
module-one-quotes = Quote
module-one-invoices = Invoice
field-subject = Subject
field-stage = Stage
field-valid_until = Valid until
field-case = Case
field-quote = Quote
field-currency = Currency
field-items = Items
field-subtotal = Subtotal
field-discount_total = Discount total
field-tax_total = Tax total
field-total = Total
field-terms_conditions = Terms and conditions
field-signed_by = Signed by
field-decided_at = Decided at
field-invoice_date = Invoice date
field-due_date = Due date
lines-title = Items
lines-none = No items yet.
lines-item = Item
lines-quantity = Qty
lines-unit-price = Unit price
lines-discount = Discount
lines-tax = Tax
lines-net = Net
lines-subtotal = Subtotal
lines-tax-at = Tax { $rate } %
lines-total = Total { $currency }
overdue = Overdue
quote-decide-title = Your decision
quote-decide-intro = Accept this quote to place the order, or reject it. Either can be done once.
quote-signer = Your name (signs the decision)
quote-comment = Comment (optional)
quote-accept = Accept quote
quote-reject = Reject quote
quote-decided = { $stage } by { $name } on { $when }.
print-date = Date
print-page = Page { $page } of { $pages }
print-comments = Comments ({ $count })
print-updates = Updates ({ $count })
print-generated = Generated { $at }
print-empty = (empty)
