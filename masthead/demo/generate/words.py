"""Word banks for the demo newsroom, a fictional valley and its arguments.

Everything here was written for Masthead's demo: the places, institutions and
publications are invented, and the domains use the reserved `.example` top-level
domain so no link points at somebody's real site.
"""

from dataclasses import dataclass

NEWSROOM = "The Lamplight Dispatch"
NEWSROOM_SHORT = "Lamplight"
NEWSROOM_DOMAIN = "lamplight-dispatch.example"
REGION = "the Ferrow Valley"
TAGLINE = "Independent reporting from the Ferrow Valley, paid for by its readers."
ACCENT_COLOUR = "#1d6a7a"
SOCIAL_HANDLE = "lamplightdispatchdemo"

PLACES = (
    "Calder Reach",
    "Oxley Ford",
    "Saltern",
    "Harrow End",
    "Pellow",
    "Kingsferry",
    "Brinemouth",
    "Aldergate",
    "Tamsin Hill",
    "Low Ferrow",
    "Quarry Bank",
    "Wickham Mere",
)

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WHEN_PAST = (
    "last spring",
    "two years ago",
    "last autumn",
    "earlier this year",
    "before the last election",
    "the winter before last",
    "in the previous budget round",
    "three years ago",
)
WHEN_FUTURE = (
    "next month",
    "in the new year",
    "before the summer recess",
    "by the end of the year",
    "at the next full council meeting",
    "within six weeks",
    "after the autumn review",
)
DEADLINES = (
    "the end of the month",
    "the new year",
    "the summer recess",
    "the next full council meeting",
    "the end of the consultation",
)
DECIDED = ("voted", "agreed", "decided", "moved")
COUNTS = (
    "120",
    "340",
    "600",
    "1,200",
    "2,400",
    "3,800",
    "5,000",
    "7,500",
    "12,000",
    "18,000",
)
SMALL_COUNTS = ("three", "four", "five", "six", "seven", "nine", "a dozen")
BENEFITS = (
    "save money over time",
    "cut waiting times",
    "make the system fairer",
    "bring the service back under public control",
    "end years of patchwork fixes",
    "give residents a say earlier in the process",
)
EDITORIAL_NOTES = (
    "(emphasis added)",
    "(bold italics added)",
    "(translated from Portuguese)",
    "(lightly edited for length)",
    "(our emphasis)",
    "(footnotes removed)",
)
GENERIC_ROLES = (
    "a councillor for {place}",
    "a researcher at the Ferrow Valley Institute",
    "who has lived in {place} for three decades",
    "a retired civil engineer in {place}",
    "who runs a café on the high street in {place}",
    "a community organiser in {place}",
    "a former member of the valley's audit committee",
    "a parent of two in {place}",
)
GENERIC_QUOTES = (
    "We were told this would be temporary, and that was years ago",
    "Nobody asked the people who actually live with the consequences",
    "I want to see the numbers, not another consultation",
    "It is not complicated: tell us what is happening and when",
    "Every winter we hear the same promise",
    "People here are not against change, just against hearing about it last",
    "If it worked as well as they say, they would publish the figures",
    "We did the research ourselves because nobody else would",
    "There is goodwill here, but it is running out",
    "The people making these decisions do not use the service",
)
HEADINGS = (
    "How we got here",
    "What happens next",
    "The numbers",
    "Who decides",
    "What residents say",
    "Follow the money",
    "The view from {place}",
    "An old argument",
    "What the documents show",
    "The other side",
    "Unanswered questions",
    "A pattern elsewhere",
)
SUBHEADINGS = (
    "The timeline",
    "Read the report",
    "What we asked",
    "What the council says",
    "Dates to watch",
    "How we reported this",
)
IMAGE_CAPTIONS = (
    "An illustration for this story.",
    "A meeting room in {place}, as imagined by our design desk.",
    "Shapes and colour standing in for {thing}.",
    "Our design desk’s take on the week in {place}.",
    "The valley in abstract: a view over {place}.",
)
IMAGE_CREDITS = (
    "Illustration: Lamplight design desk",
    "Graphic: {author}",
    "Illustration: {author} for {newsroom}",
    "Design: Lamplight studio",
)
SYNDICATION_PARTNERS = (
    ("The Coastline Courier", "coastline-courier.example"),
    ("Northern Ledger", "northern-ledger.example"),
    ("Plainsong Review", "plainsong-review.example"),
    ("The Ridgeback Post", "ridgeback-post.example"),
    ("Open Harbour", "open-harbour.example"),
    ("Midland Record", "midland-record.example"),
)
VIA_SOURCES = (
    ("Commons Wire", "commonswire.example"),
    ("Independent Press Exchange", "indiepress-exchange.example"),
    ("Newsroom Share Network", "newsroom-share.example"),
)
LICENCE_NOTES = (
    "Republished under a Creative Commons Attribution-NoDerivatives 4.0 licence.",
    "Republished with the permission of {publication}.",
    "Shared through {via}; all rights remain with the author.",
)
#: Job titles and beats of the newsroom's staff, in the order authors are drafted.
STAFF = (
    ("Editor", "the newsroom and its investigations"),
    ("Senior reporter", "housing and planning"),
    ("Local democracy reporter", "city hall and the valley’s budgets"),
    ("Video producer", "the valley on camera for Valley in Ten"),
    ("Data reporter", "energy, water and the climate, in numbers"),
    ("Courts reporter", "the courts and policing"),
    ("Health correspondent", "health and social care"),
    ("Podcast host and producer", "the week’s arguments for The Back Room"),
)
PREVIOUS_JOBS = (
    "a regional daily",
    "a community radio station",
    "a national wire service",
    "a trade magazine",
    "a student paper",
    "a public broadcaster",
)

# Sentences for reported stories. Slots are filled per article: {actor}, {thing},
# {group}, {action}, {event} stay the same within one story; the others vary.
NEWS_SENTENCES = (
    "{Actor} {decided} on {weekday} to {action}, a step {group} in {place} had "
    "pushed for since {when_past}.",
    "The decision follows {event}, which left many {group} asking who was accountable.",
    "According to figures seen by {newsroom}, {thing} has cost about {money} "
    "since {when_past}.",
    "“{quote},” said {person}, {role}.",
    "{Person}, {role}, put it more bluntly: “{quote}.”",
    "A spokesperson for {actor} said the body was “reviewing the options” and "
    "would say more {when_future}.",
    "Officials at {actor} did not answer written questions before publication.",
    "Roughly {count} {group} in {place} are affected, by the council’s own count.",
    "Critics say {thing} was never properly costed, and that {group} were "
    "consulted late, if at all.",
    "Supporters of the plan argue that doing nothing would cost more in the end.",
    "The same pattern played out in {place2}, where a similar scheme was quietly "
    "shelved {when_past}.",
    "In interviews with more than a dozen {group}, a consistent picture emerged: "
    "people want clear answers and a timetable.",
    "None of this is new to {group} in {place}.",
    "The next public meeting on {thing} is expected {when_future}.",
    "A review commissioned by {actor} found that {finding}.",
    "Only {pct} percent of the promised money has been spent so far, according "
    "to budget papers.",
    "{Newsroom} has asked {actor} for the full correspondence under "
    "freedom-of-information rules; the request is still open.",
    "The argument over {thing} has sharpened since {event}.",
    "For {group}, the practical question is simpler: what changes, and when?",
    "It is not clear who will oversee {thing} once the current contract ends "
    "{when_future}.",
    "Neighbouring councils are watching closely.",
    "The figures run to the end of {month}, the most recent available.",
    "At least {small} formal complaints about {thing} were lodged last year, "
    "records show.",
    "{Actor} says it expects to {action} {when_future}, though no date has been set.",
    "That timeline has already slipped twice.",
    "Opposition members called the delay “a failure of basic planning”.",
    "The budget line for {thing} was cut by {pct} percent in the last spending round.",
    "Several {group} said they learned about the change on social media rather "
    "than from {actor}.",
    "Legal advice obtained by campaigners suggests the move could be challenged "
    "in court.",
    "A petition calling for a pause has gathered {count} signatures.",
    "Residents of {place2} raised the same concerns at a meeting {when_past}.",
    "The plan still needs final approval from {actor}.",
)

# Sentences with a point of view, for the Analysis section.
ANALYSIS_SENTENCES = (
    "It is tempting to see {thing} as a technical dispute. It is not.",
    "The deeper problem is trust: {group} have been promised change before.",
    "Three things are worth keeping in mind.",
    "Start with the money: {actor} has never published a full breakdown of what "
    "{thing} costs.",
    "There is a better way to do this, and {place2} has already tried it.",
    "None of this means the plan is doomed.",
    "What would change the picture is a binding timetable, published in advance "
    "and checked by someone independent.",
    "If the past decade is any guide, the outcome depends less on policy than on "
    "who turns up to the meetings.",
    "The official account leaves out the people who will feel the change first: "
    "{group} in {place}.",
    "Read the small print of the review and a different story emerges: {finding}.",
    "That is a choice, not an accident.",
    "{Actor} could {action} tomorrow if it wanted to.",
    "The cost of waiting is rarely counted, but it is paid all the same.",
    "Compare that with {event}, and the gap between promise and delivery is hard "
    "to miss.",
    "The honest answer is that nobody yet knows whether {thing} will work.",
    "Good policy starts with good numbers, and the valley does not have them.",
    "There is a version of this that ends well for {group}.",
    "It requires {actor} to say plainly what it will do, and by when.",
)

VIDEO_SENTENCES = (
    "In this film, {author} travels to {place} to ask {group} about {thing}.",
    "The full conversation is in the player above.",
    "We filmed over {small} days in {place} and {place2}.",
    "Below, a written summary of what we heard, for readers who prefer text.",
    "The video runs for {minutes} minutes and has captions in English.",
)

NEWS_HEADLINES = (
    "{Actor_h} votes to {action}",
    "{Actor_h} moves to {action} after {event}",
    "{Group_h} in {place} push back on {thing}",
    "{Thing_h} under scrutiny after {event}",
    "{count} {group} affected as {actor} delays decision on {thing}",
    "{Place} {group} left waiting on {thing}",
    "Questions grow over {thing} in {place}",
    "{Actor_h} accused of sitting on report into {thing}",
    "{Place} braces for changes to {thing}",
    "Campaigners win review of {thing}",
    "{Actor_h} promises answers on {thing} {when_future}",
    "What we know about {thing} in {place}",
)
ANALYSIS_HEADLINES = (
    "Why {thing} keeps coming back",
    "What the fight over {thing} says about {place}",
    "The real cost of {thing}",
    "{Thing_h}: who pays, and who decides",
    "{Small_h} questions {actor} still has to answer on {thing}",
    "{Thing_h}: a test {actor} is failing",
    "Opinion: {group} deserve a straight answer on {thing}",
    "How {place} got {thing} wrong, and how to fix it",
    "The quiet politics of {thing}",
)
VIDEO_HEADLINES = (
    "Watch: {group} in {place} on {thing}",
    "{Thing_h}, explained in {minutes} minutes",
    "On the ground in {place} as {actor} moves to {action}",
    "Watch: the argument over {thing}, in {place}’s own words",
)
VIDEO_EPISODE_HEADLINES = (
    "{Thing_h}, {thing2} and the week in {place}",
    "{Thing_h} and a long week for {group}",
    "Inside {place}: {thing} and what comes next",
)
PODCAST_EPISODE_HEADLINES = (
    "{Thing_h}, with {person}",
    "Who decides on {thing}? A conversation with {person}",
    "{Place} after {event}",
)
STANDFIRSTS = (
    "{Actor_h} says the change will {benefit}. {Group_h} in {place} are not convinced.",
    "The decision affects about {count} {group}, and the details are still being "
    "worked out.",
    "After {event}, {group} want to know who signed off on {thing}, and why.",
    "{Actor_h} has until {deadline} to explain its plans for {thing}.",
    "Records seen by {newsroom} show the problem with {thing} was flagged {when_past}.",
)
ANALYSIS_STANDFIRSTS = (
    "A close look at the numbers behind {thing}, and what they leave out.",
    "The argument over {thing} is really about who gets a say in {place}.",
    "{Actor_h} wants credit for {thing}. The record is more complicated.",
)
VIDEO_STANDFIRSTS = (
    "We took a camera to {place} to hear from {group} about {thing}.",
    "A short film on {thing}, and the people waiting for a decision.",
)
EPISODE_STANDFIRSTS = (
    "This week: {thing}, {thing2}, and what {actor} said about both.",
    "{person} joins us to talk about {thing} and {event}.",
)
RELATED_TITLES = (
    "Read the report on {thing}",
    "Background: how {thing} began",
    "Documents: the correspondence about {thing}",
)
CORRECTIONS = (
    "An earlier version of this story gave the wrong date for the meeting on {thing}.",
    "An earlier version misspelled the name of {person}.",
    "This story has been updated to include a response from {actor}.",
    "An earlier version overstated the number of {group} affected.",
    "This story was updated after {actor} published its decision.",
)


@dataclass(frozen=True)
class Topic:
    """One running story of the valley and the phrases it is told with."""

    key: str
    tags: tuple[str, ...]
    actors: tuple[str, ...]
    things: tuple[str, ...]
    groups: tuple[str, ...]
    actions: tuple[str, ...]
    events: tuple[str, ...]
    findings: tuple[str, ...]
    quotes: tuple[str, ...]
    roles: tuple[str, ...]
    word: str  # a word to paint on the story's pictures


TOPICS = (
    Topic(
        key="housing",
        tags=("Housing", "Rents", "Planning"),
        actors=(
            "the housing committee",
            "the Calder Reach tenants’ union",
            "the valley planning board",
            "the Pellow housing trust",
        ),
        things=(
            "the rent cap",
            "the empty-homes levy",
            "short-let licences",
            "the social housing waiting list",
            "the Quayside redevelopment",
            "eviction hearings",
        ),
        groups=("tenants", "landlords", "families on the waiting list", "renters"),
        actions=(
            "freeze rents in older blocks",
            "publish the register of empty homes",
            "buy back the Mill Street flats",
            "license short-term lets",
        ),
        events=(
            "a winter of record evictions",
            "a leaked valuation report",
            "a packed public meeting in Saltern",
        ),
        findings=(
            "one in five council homes had been empty for more than a year",
            "repair requests were taking an average of eleven weeks to close",
            "the waiting list had doubled while new building stalled",
        ),
        quotes=(
            "My rent went up twice in a year and the damp is still there",
            "We can build homes here, we just keep choosing not to",
            "The list moves so slowly that people stop believing it exists",
        ),
        roles=(
            "who has rented in {place} for nineteen years",
            "a housing officer in {place}",
            "a member of the tenants’ union",
        ),
        word="HOME",
    ),
    Topic(
        key="transit",
        tags=("Transit", "Roads", "Cycling"),
        actors=(
            "the valley transit authority",
            "the roads department",
            "the bus operators’ consortium",
            "the regional transport board",
        ),
        things=(
            "the night bus network",
            "the tram extension",
            "fare increases",
            "the Kingsferry bridge repairs",
            "the cycle lane on River Road",
            "rural bus routes",
        ),
        groups=("commuters", "bus drivers", "cyclists", "shift workers"),
        actions=(
            "restore the night buses",
            "freeze fares for a year",
            "close the old bridge to lorries",
            "extend the tram line to Aldergate",
        ),
        events=(
            "a month of cancelled services",
            "the bridge closure in March",
            "a collision on River Road",
        ),
        findings=(
            "a third of scheduled evening services did not run",
            "the bridge had missed two of its last four inspections",
            "journey times had risen by a quarter in five years",
        ),
        quotes=(
            "If the last bus goes at ten, I cannot take the late shift",
            "We have been asking for a safe crossing since the school opened",
            "A timetable is a promise, and it keeps getting broken",
        ),
        roles=(
            "a bus driver on the 14 route",
            "who cycles to work in {place}",
            "a nurse who commutes from {place}",
        ),
        word="ROUTE",
    ),
    Topic(
        key="water",
        tags=("Water", "Rivers", "Pollution"),
        actors=(
            "the valley water board",
            "the river trust",
            "the environment agency’s valley office",
        ),
        things=(
            "sewage overflows into the Ferrow",
            "the reservoir upgrade",
            "water bills",
            "bathing water tests at Brinemouth",
            "the new treatment works",
        ),
        groups=("anglers", "swimmers", "farmers", "households"),
        actions=(
            "publish overflow data every week",
            "pause the bill increase",
            "fund an independent river survey",
            "upgrade the Saltern treatment works",
        ),
        events=(
            "a summer of closed beaches",
            "the fish deaths near Oxley Ford",
            "a burst main that cut supply for three days",
        ),
        findings=(
            "overflow alarms had been switched off at two sites",
            "testing at Brinemouth had been reduced to once a month",
            "the upgrade was running two years behind schedule",
        ),
        quotes=(
            "You can smell the river on a hot day, and that tells you everything",
            "We pay more every year and the water gets worse",
            "Volunteers are doing the testing that the board should be doing",
        ),
        roles=(
            "who swims at Brinemouth every morning",
            "a volunteer river tester",
            "a dairy farmer near {place}",
        ),
        word="RIVER",
    ),
    Topic(
        key="energy",
        tags=("Energy", "Climate", "Heatwaves"),
        actors=(
            "the valley energy co-operative",
            "the climate task force",
            "the grid operator",
        ),
        things=(
            "the solar farm at Harrow End",
            "heating costs",
            "the heat plan for schools",
            "the wind turbine proposal",
            "home insulation grants",
        ),
        groups=("households", "pensioners", "small businesses", "schools"),
        actions=(
            "double the insulation grants",
            "approve the solar farm",
            "open cooling centres earlier",
            "publish the heat plan",
        ),
        events=(
            "last summer’s heatwave",
            "the price shock in January",
            "a week of power cuts",
        ),
        findings=(
            "most grant money had gone to the valley’s wealthiest streets",
            "classrooms passed 30 degrees on eleven days",
            "the co-operative’s output had tripled in three years",
        ),
        quotes=(
            "We turned the heating off in February and wore coats indoors",
            "The sun shines on Harrow End whether the council likes it or not",
            "Insulation is boring, and it works",
        ),
        roles=(
            "a pensioner in {place}",
            "who runs the energy co-operative’s help desk",
            "a head teacher in {place}",
        ),
        word="HEAT",
    ),
    Topic(
        key="health",
        tags=("Health", "Hospitals", "Mental health"),
        actors=(
            "the valley health board",
            "Saltern General Hospital",
            "the mental health trust",
        ),
        things=(
            "emergency waiting times",
            "the maternity unit",
            "the mental health helpline",
            "GP appointments",
            "the ambulance station closure",
        ),
        groups=("patients", "nurses", "junior doctors", "carers"),
        actions=(
            "keep the maternity unit open",
            "hire forty more nurses",
            "reopen the walk-in clinic",
            "publish waiting times every month",
        ),
        events=(
            "a night when every ambulance was queueing",
            "the closure of the walk-in clinic",
            "a critical inspection report",
        ),
        findings=(
            "one in four emergency patients waited more than four hours",
            "the helpline missed half of its calls after midnight",
            "staffing fell below safe levels on 60 shifts",
        ),
        quotes=(
            "We are doing our best with half the people we need",
            "I waited six hours with my father on a trolley",
            "The helpline saved my life, and now it closes at midnight",
        ),
        roles=(
            "a nurse at Saltern General",
            "a carer in {place}",
            "a junior doctor in the valley",
        ),
        word="CARE",
    ),
    Topic(
        key="schools",
        tags=("Schools", "Childcare", "Universities"),
        actors=(
            "the education committee",
            "the Ferrow Valley college",
            "the teachers’ association",
        ),
        things=(
            "school meal funding",
            "the nursery closures",
            "class sizes",
            "the college’s course cuts",
            "school transport",
        ),
        groups=("parents", "teachers", "students", "nursery workers"),
        actions=(
            "fund free school meals",
            "reverse the nursery closures",
            "cap class sizes at thirty",
            "restore the school bus",
        ),
        events=(
            "the loss of two village schools",
            "a strike ballot by teaching assistants",
            "the college’s budget crisis",
        ),
        findings=(
            "nursery places had fallen by a third in four years",
            "one in six pupils arrived without breakfast",
            "the college relied on short contracts for most teaching",
        ),
        quotes=(
            "You cannot teach a hungry child",
            "We found out about the closure from a letter in a school bag",
            "Our course was the only reason I stayed in the valley",
        ),
        roles=(
            "a parent at the primary school in {place}",
            "a maths teacher in {place}",
            "a second-year student at the college",
        ),
        word="LEARN",
    ),
    Topic(
        key="labour",
        tags=("Labour", "Wages", "Strikes"),
        actors=(
            "the port workers’ union",
            "the chamber of commerce",
            "the care workers’ branch",
        ),
        things=(
            "the living wage deal",
            "zero-hours contracts",
            "the warehouse strike",
            "the port’s automation plan",
            "sick pay for care workers",
        ),
        groups=("warehouse staff", "care workers", "dockers", "delivery riders"),
        actions=(
            "pay the living wage across all contracts",
            "ban zero-hours contracts in council work",
            "reopen talks with the union",
            "publish its pay gap figures",
        ),
        events=(
            "the walkout at the Brinemouth depot",
            "a failed round of pay talks",
            "the closure of the cannery",
        ),
        findings=(
            "nearly half of care shifts were paid below the living wage",
            "agency staff made up most of the night shift",
            "the pay gap between top and bottom had widened again",
        ),
        quotes=(
            "We are not asking for much, just enough to plan a month ahead",
            "Machines do not pay rent in Brinemouth, people do",
            "I love the job, I just cannot afford to keep doing it",
        ),
        roles=(
            "a shop steward at the depot",
            "a care worker in {place}",
            "who has worked on the docks for twenty years",
        ),
        word="WORK",
    ),
    Topic(
        key="justice",
        tags=("Courts", "Policing", "Prisons"),
        actors=(
            "the valley police",
            "the magistrates’ court",
            "the police oversight panel",
        ),
        things=(
            "stop-and-search figures",
            "the court backlog",
            "the closure of the Pellow police station",
            "bodycam footage rules",
            "the youth diversion scheme",
        ),
        groups=("defendants", "victims of crime", "officers", "legal aid lawyers"),
        actions=(
            "publish stop-and-search data by area",
            "reopen the Pellow station at night",
            "release the bodycam footage",
            "fund the youth diversion scheme",
        ),
        events=(
            "a trial that collapsed after three years",
            "the arrest outside the station",
            "an inspection that found missing records",
        ),
        findings=(
            "cases were waiting an average of two years for trial",
            "searches in Low Ferrow were four times the valley average",
            "a quarter of complaints were closed without interview",
        ),
        quotes=(
            "Justice that takes three years is not justice for anyone",
            "We want the footage, all of it, not a summary",
            "Diversion works, the numbers say so",
        ),
        roles=(
            "a legal aid solicitor in {place}",
            "a youth worker in {place}",
            "a former officer who now sits on the oversight panel",
        ),
        word="COURT",
    ),
    Topic(
        key="cityhall",
        tags=("City hall", "Budget", "Elections"),
        actors=(
            "the valley council",
            "the finance committee",
            "the electoral office",
            "the mayor’s office",
        ),
        things=(
            "the council budget",
            "the consultancy contracts",
            "polling station closures",
            "the library opening hours",
            "council tax",
        ),
        groups=("voters", "council staff", "library users", "ratepayers"),
        actions=(
            "publish every consultancy contract",
            "keep the libraries open on Saturdays",
            "hold a public vote on the budget",
            "reopen three polling stations",
        ),
        events=(
            "a budget vote that ran past midnight",
            "the resignation of the finance chief",
            "a by-election with record low turnout",
        ),
        findings=(
            "consultancy spending had risen fivefold in four years",
            "most contracts were awarded without competition",
            "turnout was lowest where polling stations had closed",
        ),
        quotes=(
            "If it is our money, we should see where it goes",
            "The library is the only warm room in the village",
            "Democracy is harder when the polling station is an hour away",
        ),
        roles=(
            "a library volunteer in {place}",
            "a finance committee member",
            "who has voted in every election since 1970",
        ),
        word="VOTE",
    ),
    Topic(
        key="transparency",
        tags=("Transparency", "Press freedom", "Surveillance"),
        actors=(
            "the information commissioner’s valley office",
            "the council’s legal team",
            "the digital services unit",
        ),
        things=(
            "freedom-of-information refusals",
            "the camera network on the high street",
            "the council’s data-sharing deal",
            "press access to council meetings",
            "the lobbying register",
        ),
        groups=("journalists", "campaigners", "residents", "privacy advocates"),
        actions=(
            "publish the data-sharing agreement",
            "stream every council meeting",
            "open the lobbying register",
            "review the camera network",
        ),
        events=(
            "the exclusion of reporters from a budget session",
            "a data breach affecting council tenants",
            "a refused request that was later overturned",
        ),
        findings=(
            "two-thirds of information requests were answered late",
            "cameras had been installed without a privacy assessment",
            "meetings with lobbyists went unrecorded",
        ),
        quotes=(
            "Sunlight is cheap, and they still will not pay for it",
            "We found out about the cameras when they were already up",
            "Every refusal tells you something about what they are hiding",
        ),
        roles=(
            "a campaigner with the valley’s open-government group",
            "a freelance reporter in {place}",
            "a data protection lawyer",
        ),
        word="OPEN",
    ),
)

#: Every tag the demo uses, in a stable order.
ALL_TAGS = tuple(tag for topic in TOPICS for tag in topic.tags)
