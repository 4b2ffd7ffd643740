"""Word lists the pattern extractor reads: reporting cues, source nouns, document nouns.

Everything the extractor knows about English lives here as data, so that a new cue
or a new kind of source is one line in a table rather than a new branch in code.
All entries are lower case; the matching code folds case where it should.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "Cue",
    "CUES",
    "CUE_FORMS",
    "CUE_PHRASES",
    "CITATION_CUES",
    "DOCUMENT_NOUNS",
    "DOCUMENT_ADJECTIVES",
    "PERSON_NOUNS",
    "GROUP_NOUNS",
    "ORG_NOUNS",
    "MEDIA_NOUNS",
    "COMPANY_WORDS",
    "MEDIA_KIND_NOUNS",
    "KNOWN_MEDIA",
    "SPOKES_NOUNS",
    "TITLE_WORDS",
    "DETERMINERS",
    "QUANTIFIERS",
    "POSSESSIVE_PRONOUNS",
    "PERSON_PRONOUNS",
    "ORG_PRONOUNS",
    "PLURAL_PRONOUNS",
    "AUXILIARIES",
    "NEGATIONS",
    "ADVERBS",
    "PREPOSITIONS",
    "TIME_WORDS",
    "ABBREVIATIONS",
    "NATIONALITY_SUFFIXES",
    "PARTICIPLE_CUTS",
    "IRREGULAR_VERBS",
    "BACKWARD_VERBS",
    "BACKWARD_NOUNS",
    "NON_CLAIM_STARTS",
]


@dataclass(frozen=True)
class Cue:
    """A reporting verb.

    Attributes
    ----------
    lemma:
        The base form written to the annotation's ``cue``.
    strong:
        True for verbs of saying ("say", "tell", "claim") whose complement clause may
        come without "that"; weak cues ("indicate", "emphasize") need "that", a colon,
        or a clause that is plainly a clause (it has an auxiliary) to count.
    np_object:
        True when a plain noun phrase object is itself the claim: "confirm his
        attendance", "estimate the damage at ...".
    recipient:
        True when the verb takes an addressee before the claim: "told reporters that".
    """

    lemma: str
    strong: bool = False
    np_object: bool = False
    recipient: bool = False


def _forms(*pairs: tuple[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for lemma, forms in pairs:
        for form in forms.split():
            out[form] = lemma
    return out


CUES: dict[str, Cue] = {
    c.lemma: c
    for c in [
        Cue("say", strong=True),
        Cue("tell", strong=True, recipient=True),
        Cue("add", strong=True),
        Cue("state", strong=True),
        Cue("claim", strong=True),
        Cue("argue", strong=True),
        Cue("warn", strong=True, recipient=True),
        Cue("insist", strong=True),
        Cue("allege", strong=True),
        Cue("assert", strong=True),
        Cue("contend", strong=True),
        Cue("write", strong=True),
        Cue("declare", strong=True),
        Cue("concede", strong=True),
        Cue("admit", strong=True),
        Cue("caution", strong=True),
        Cue("remark", strong=True),
        Cue("reply", strong=True),
        Cue("testify", strong=True),
        Cue("tweet", strong=True),
        Cue("point out", strong=True),
        Cue("make clear", strong=True),
        Cue("report", strong=True, np_object=True),
        Cue("confirm", np_object=True),
        Cue("announce", np_object=True),
        Cue("deny", strong=True, np_object=True),
        Cue("reveal", np_object=True),
        Cue("disclose", np_object=True),
        Cue("estimate", strong=True, np_object=True),
        Cue("predict", strong=True, np_object=True),
        Cue("forecast", np_object=True),
        Cue("expect", np_object=True),
        Cue("accuse", np_object=True),
        Cue("link", np_object=True),
        Cue("blame", np_object=True),
        Cue("attribute", np_object=True),
        Cue("assure", recipient=True),
        Cue("inform", recipient=True),
        Cue("remind", recipient=True),
        Cue("note"),
        Cue("reiterate"),
        Cue("emphasize"),
        Cue("stress"),
        Cue("indicate"),
        Cue("acknowledge"),
        Cue("explain"),
        Cue("maintain"),
        Cue("suggest"),
        Cue("believe"),
        Cue("think"),
        Cue("recall"),
        Cue("observe"),
        Cue("respond"),
        Cue("answer"),
        Cue("comment"),
        Cue("find"),
        Cue("show"),
        Cue("conclude"),
        Cue("promise"),
        Cue("pledge"),
        Cue("vow"),
        Cue("agree"),
        Cue("signal"),
        Cue("hint"),
        Cue("underline"),
        Cue("underscore"),
        Cue("highlight"),
        Cue("outline"),
        Cue("mention"),
        Cue("specify"),
        Cue("complain"),
        Cue("fear"),
    ]
}

# Inflected form -> lemma. Only finite forms: "-ing" forms and infinitives after "to"
# are not reports ("refused to say", "saying" outside "as saying").
CUE_FORMS: dict[str, str] = _forms(
    ("say", "said says say"),
    ("tell", "told tells tell"),
    ("add", "added adds"),
    ("state", "stated states"),
    ("claim", "claimed claims"),
    ("argue", "argued argues argue"),
    ("warn", "warned warns warn"),
    ("insist", "insisted insists insist"),
    ("allege", "alleged alleges allege"),
    ("assert", "asserted asserts"),
    ("contend", "contended contends"),
    ("write", "wrote writes"),
    ("declare", "declared declares"),
    ("concede", "conceded concedes"),
    ("admit", "admitted admits"),
    ("caution", "cautioned cautions"),
    ("remark", "remarked remarks"),
    ("reply", "replied replies"),
    ("testify", "testified testifies"),
    ("tweet", "tweeted tweets"),
    ("report", "reported reports report"),
    ("confirm", "confirmed confirms confirm"),
    ("announce", "announced announces announce"),
    ("deny", "denied denies deny"),
    ("reveal", "revealed reveals"),
    ("disclose", "disclosed discloses"),
    ("estimate", "estimated estimates estimate"),
    ("predict", "predicted predicts predict"),
    ("forecast", "forecast forecasts"),
    ("expect", "expected expects expect"),
    ("accuse", "accused accuses"),
    ("link", "linked links"),
    ("blame", "blamed blames"),
    ("attribute", "attributed attributes"),
    ("assure", "assured assures"),
    ("inform", "informed informs"),
    ("remind", "reminded reminds"),
    ("note", "noted notes note"),
    ("reiterate", "reiterated reiterates reiterate"),
    ("emphasize", "emphasized emphasised emphasizes emphasises emphasize emphasise"),
    ("stress", "stressed stresses stress"),
    ("indicate", "indicated indicates indicate"),
    ("acknowledge", "acknowledged acknowledges acknowledge"),
    ("explain", "explained explains"),
    ("maintain", "maintained maintains maintain"),
    ("suggest", "suggested suggests suggest"),
    ("believe", "believed believes believe"),
    ("think", "thinks think"),
    ("recall", "recalled recalls"),
    ("observe", "observed observes"),
    ("respond", "responded responds"),
    ("answer", "answered answers"),
    ("comment", "commented comments"),
    ("find", "found finds find"),
    ("show", "showed shows show"),
    ("conclude", "concluded concludes conclude"),
    ("promise", "promised promises"),
    ("pledge", "pledged pledges"),
    ("vow", "vowed vows"),
    ("agree", "agreed agrees agree"),
    ("signal", "signalled signaled signals"),
    ("hint", "hinted hints"),
    ("underline", "underlined underlines"),
    ("underscore", "underscored underscores"),
    ("highlight", "highlighted highlights"),
    ("outline", "outlined outlines"),
    ("mention", "mentioned mentions"),
    ("specify", "specified specifies"),
    ("complain", "complained complains"),
    ("fear", "feared fears"),
)

# Two-word cues: first word form -> (second word, lemma).
CUE_PHRASES: dict[str, tuple[str, str]] = {
    "pointed": ("out", "point out"),
    "points": ("out", "point out"),
    "made": ("clear", "make clear"),
    "makes": ("clear", "make clear"),
}

# Words that introduce the source a relay got its information from.
CITATION_CUES: tuple[str, ...] = (
    "citing",
    "quoting",
    "relaying",
    "referring to",
    "drawing on",
    "in turn quoting",
    "in turn citing",
    "which cited",
    "which quoted",
    "which in turn cited",
    "which in turn quoted",
    "who cited",
    "who quoted",
    "that cited",
    "that quoted",
    "which relayed",
)

# Things a source publishes; "the X statement", "X's report", "figures from X".
DOCUMENT_NOUNS: frozenset[str] = frozenset(
    """
    report reports statement statements briefing briefings bulletin release releases
    communique communiqué letter letters memo memorandum document documents filing filings
    response reply study studies survey surveys analysis review paper post tweet comments
    remarks dispatch dispatches note assessment minutes transcript website records findings
    estimates forecast figures data sheet notice announcement declaration readout
    press-release summary update decree order ruling resolution audit
    """.split()
)

# Adjectives that describe a document without naming its author.
DOCUMENT_ADJECTIVES: frozenset[str] = frozenset(
    """
    annual quarterly monthly weekly daily written official joint final latest new recent
    public separate brief short long detailed internal confidential leaked draft preliminary
    initial earlier previous later first second third interim formal
    """.split()
)

# Nouns that head a phrase naming a person or a group of people.
PERSON_NOUNS: frozenset[str] = frozenset(
    """
    official officials spokesperson spokesman spokeswoman spokespeople spokesmen
    spokeswomen minister ministers secretary president vice-president premier chancellor
    governor mayor councillor councilor director chairman chairwoman chair head chief
    executive ceo founder manager commander general officer officers diplomat diplomats
    ambassador envoy analyst analysts expert experts economist economists researcher
    researchers scientist scientists author authors professor lawyer lawyers attorney
    prosecutor prosecutors judge judges witness witnesses resident residents source sources
    insider insiders aide aides adviser advisers advisor advisors member members lawmaker
    lawmakers legislator legislators senator senators mp mps deputy deputies person people
    engineer engineers doctor doctors cardiologist nurse nurses worker workers employee
    employees staff owner owners farmer farmers activist activists leader leaders negotiator
    negotiators observer observers investigator investigators inspector inspectors auditor
    auditors clerk representative representatives delegate delegates candidate candidates
    voter voters student students teacher teachers colleague colleagues relative relatives
    friend friends neighbour neighbours neighbor neighbors survivor survivors victim victims
    passenger passengers driver drivers pilot pilots captain soldier soldiers troops
    rescuer rescuers firefighter firefighters police policeman policewoman detective
    coach player players fan fans economist strategist strategists trader traders banker
    bankers investor investors consultant consultants historian historians journalist
    journalists reporter reporters correspondent correspondents editor editors critic critics
    campaigner campaigners protester protesters organiser organisers organizer organizers
    physician physicians epidemiologist epidemiologists virologist surgeon
    """.split()
)

# Plural or collective heads that are vague by nature: "officials", "sources".
GROUP_NOUNS: frozenset[str] = frozenset(
    """
    officials sources insiders diplomats people analysts experts observers residents
    witnesses aides advisers advisors members lawmakers economists researchers scientists
    workers employees staff owners farmers activists leaders negotiators investigators
    officers critics campaigners protesters groups councils voters traders investors bankers
    strategists doctors engineers authorities media press
    """.split()
)

# Nouns that mark an organisation.
ORG_NOUNS: frozenset[str] = frozenset(
    """
    ministry ministries office agency service services authority authorities council
    committee commission bureau institute institution federation union unions coalition
    alliance bank fund company companies corporation corp inc ltd llc plc group firm firms
    university college school hospital court courts police army navy military guard
    government administration parliament assembly senate congress cabinet presidency
    kremlin embassy consulate department centre center crescent cross party association
    board regulator watchdog utility operator organisation organization organisations
    organizations foundation trust charity society league club network exchange
    directorate inspectorate secretariat prosecution command leadership team unit
    delegation mission municipality municipal city region state county province
    prosecutors observatory laboratory lab airline carrier shipyard insurer manufacturer
    producer retailer chamber syndicate consortium cooperative registry
    """.split()
)

# Capitalised words that mark a company name: "Orvel Telecom", "Vesk Lines".
COMPANY_WORDS: frozenset[str] = frozenset(
    """
    telecom telecoms energy steel robotics airlines airways marine motors holdings capital
    partners systems technologies technology pharma pharmaceuticals foods logistics freight
    lines media chemie chemicals industries mining oil gas power solutions software labs
    ventures insurance finance securities shipping construction communications electric
    electronics automotive aviation airport railways rail bank banks group corp inc ltd
    plc llc ag gmbh sa nv co
    """.split()
)

# Words that mark a news outlet when they are part of a name.
MEDIA_NOUNS: frozenset[str] = frozenset(
    """
    news agency times post daily weekly journal gazette herald tribune courier ledger
    chronicle observer telegraph guardian wire press radio tv television channel
    broadcasting broadcaster network magazine review express standard mirror star sun
    bulletin dispatch monitor examiner independent today online media newswire
    """.split()
)

# Lower-case descriptors that introduce an outlet's name: "the broadcaster RTV".
MEDIA_KIND_NOUNS: frozenset[str] = frozenset(
    """
    agency broadcaster newspaper daily weekly tabloid magazine channel station outlet
    website portal network newswire wire paper
    """.split()
)

# News organisations known by a single word or an acronym.
KNOWN_MEDIA: frozenset[str] = frozenset(
    """
    reuters ap afp bbc cnn bloomberg tass xinhua interfax ria kyodo yonhap dpa efe ansa
    pap ctk anadolu ukrinform unian nhk abc cbs nbc npr politico axios aljazeera
    """.split()
)

# Roles whose holder speaks for an organisation: "a spokesperson for the ministry".
SPOKES_NOUNS: tuple[str, ...] = (
    "press service",
    "press office",
    "press secretary",
    "press department",
    "spokesperson",
    "spokesman",
    "spokeswoman",
    "spokespeople",
    "spokesmen",
    "spokeswomen",
)

# Words of a title before a name: "Deputy Minister Ilona Varga", "Dr. Omar Haddad".
TITLE_WORDS: frozenset[str] = frozenset(
    """
    minister deputy secretary president vice prime premier chancellor governor mayor
    councillor councilor director chairman chairwoman chair head chief executive ceo cfo
    coo founder general lieutenant colonel major captain commander admiral sergeant
    ambassador envoy senator representative rep sen gov judge justice prosecutor attorney
    professor prof dr dr. mr mr. mrs mrs. ms ms. sir lord lady dame king queen prince
    princess sheikh pope bishop cardinal rabbi imam lead author spokesperson spokesman
    spokeswoman inspector detective officer superintendent commissioner speaker leader
    mp state foreign interior defence defense finance health energy environment transport
    economy economic education justice labour labor trade agriculture culture sports
    interior home housing climate digital science research water resources affairs of
    us u.s. uk u.k. eu un nato former acting interim senior junior deputy assistant
    principal chief
    """.split()
)

DETERMINERS: frozenset[str] = frozenset(
    "the a an this that these those another such".split()
)

QUANTIFIERS: frozenset[str] = frozenset(
    "some several many most both all various numerous few each certain other".split()
)

POSSESSIVE_PRONOUNS: frozenset[str] = frozenset("its his her their our my your".split())

PERSON_PRONOUNS: frozenset[str] = frozenset("he she him her his".split())
ORG_PRONOUNS: frozenset[str] = frozenset("it its".split())
PLURAL_PRONOUNS: frozenset[str] = frozenset("they them their".split())

AUXILIARIES: frozenset[str] = frozenset(
    """
    is are was were be been being am will would shall should can could may might must
    has have had does do did remains remain remained continues continue continued
    """.split()
)

NEGATIONS: frozenset[str] = frozenset("not n't never no".split())

# Adverbs (and auxiliaries) that may stand between a source and its cue: "the
# ministry also said", "officials have repeatedly said".
ADVERBS: frozenset[str] = frozenset(
    """
    also further later earlier again repeatedly previously recently separately publicly
    privately reportedly then now already once still first initially subsequently
    today yesterday tonight however meanwhile moreover additionally similarly likewise
    nonetheless nevertheless instead separately elsewhere originally officially
    explicitly openly formally jointly each both all allegedly apparently reportedly
    specifically firmly flatly strongly bluntly quietly proudly simply just only even
    had has have did does do will would
    """.split()
)

PREPOSITIONS: frozenset[str] = frozenset(
    """
    in on at during after before since for from with without under over by to into
    within through throughout across amid among against about via per upon near
    """.split()
)

TIME_WORDS: frozenset[str] = frozenset(
    """
    monday tuesday wednesday thursday friday saturday sunday week weekend month year
    morning afternoon evening night day today yesterday tonight january february march
    april may june july august september october november december jan feb mar apr jun
    jul aug sep sept oct nov dec spring summer autumn fall winter
    """.split()
)

# Abbreviations after which a full stop does not end a sentence.
ABBREVIATIONS: frozenset[str] = frozenset(
    """
    mr mrs ms dr prof st gen lt col sgt capt cpt sen rep gov gen adm maj cmdr supt insp
    jan feb mar apr jun jul aug sep sept oct nov dec no nos vs etc inc ltd co corp jr sr
    u.s u.k u.n e.g i.e approx est dept univ assn bros fig vol ft mt rev hon
    """.split()
)

NATIONALITY_SUFFIXES: tuple[str, ...] = ("an", "ian", "ish", "ese", "ic", "i")

# Past participles that open a reduced relative clause after a source's noun phrase:
# "a study by researchers ... published on Wednesday".
PARTICIPLE_CUTS: frozenset[str] = frozenset(
    """
    published released issued conducted carried funded seen obtained posted quoted cited
    given based held reported made presented commissioned written signed sent shared
    distributed circulated leaked speaking talking writing commenting asked
    """.split()
)

# Irregular finite verbs the triple builder recognises as the main verb.
IRREGULAR_VERBS: frozenset[str] = frozenset(
    """
    is are was were has have had does do did will would can could may might must shall
    should cost costs struck strikes came comes took takes made makes began begins rose
    rises fell falls ran runs sat sits met meets kept keeps led leads held holds brought
    brings built builds gave gives got gets went goes grew grows lost loses paid pays
    saw sees sold sells sent sends set sets shut shuts spent spends stood stands won wins
    wrote writes left leaves meant means put puts became becomes needs faces marks shows
    depends reflects includes operates employs continues remains seeks plans wants
    """.split()
)

# "These points were outlined in X": a sentence that attributes the ones before it.
BACKWARD_VERBS: frozenset[str] = frozenset(
    """
    outlined set made stated described contained included published detailed presented
    announced given provided disclosed released laid confirmed reported issued expressed
    spelled spelt echoed repeated voiced raised mentioned listed summarised summarized
    conveyed relayed first
    """.split()
)
BACKWARD_NOUNS: frozenset[str] = frozenset(
    """
    points details remarks figures plans claims assessments findings comments measures
    proposals numbers statements positions views arguments demands conditions priorities
    goals aims estimates projections concerns assurances commitments pledges steps
    messages
    """.split()
)

# Lines that are furniture rather than claims: bylines, credits, contact blocks.
NON_CLAIM_STARTS: tuple[str, ...] = (
    "by ",
    "reporting by",
    "editing by",
    "additional reporting",
    "writing by",
    "(reporting",
    "(editing",
    "contact:",
    "media contact",
    "for immediate release",
    "###",
    "photo:",
    "image:",
)
