"""A compact list of common English words, written out for the Letters task.

The reference downloads the dwyl ``words_alpha.txt`` list at generation time; we ship our own list so generation
works offline and is identical on every machine. The words are plain lowercase a-z, four to seventeen letters;
long strings are built by joining several of them (see ``letters.py``).
"""

from __future__ import annotations

_RAW = """
able about above accept accident account achieve acid across action active actor actual adapt address
adjust admire adult advance advice affair afford afraid after afternoon again against agency agent agree
ahead airport alarm album alcohol alive allow almost alone along already also alter always amazing amount
ancient anger angle animal ankle annual answer anxiety anybody apart apartment appeal appear apple apply
approach approve april arrange arrest arrival arrive article artist aside asleep aspect assess asset assist
assume attack attempt attend attitude attract auction audience august author autumn avenue average avoid
awake award aware awful baby background backward bacon badge baggage bakery balance balcony ballet balloon
banana bandage banker barrel basket battery battle beach beard beauty because become bedroom beetle before
begin behave behind belief believe belong below bench benefit berry beside better between beyond bicycle
billion biology birthday biscuit bitter blanket blossom board bodily boiler bonus border borrow bottle
bottom boundary bracket brain branch brave bread breakfast breath breeze brick bridge brief bright brilliant
broad brother brown brush bubble bucket budget buffalo builder bullet bundle burden bureau burger butter
button cabbage cabinet cable cactus camera campaign campus canal cancel candle canvas capable capital
captain carbon career careful cargo carpet carrot castle casual catalog cattle caution ceiling celebrate
cellar cement census central century cereal certain chain chair chalk challenge chamber champion chance
change channel chapter charge charity charm chart cheap cheese chemical cherry chicken chief child chimney
chocolate choice church cinema circle circus citizen civil claim classic clean clever client climate climb
clinic clock closet cloth cloud clumsy cluster coach coast coconut coffee collar collect college colony
colour column combine comedy comfort comic command comment common company compare compass complete
complex concert concrete confirm connect consider constant contact contain content contest context
continue control convert cookie copper corner correct cottage cotton council counter country county
couple courage course cousin cover crack craft crash cream create credit cricket crime crisis critic
crowd crucial cruel crystal culture cupboard curious current curtain cushion custom customer cycle damage
dance danger daughter debate decade decide declare decline deep defeat defend degree delay delight deliver
demand dentist deny depart depend deposit depth deputy desert design desire desk detail detect develop
device diamond diary diet differ digital dinner direct dirty disagree discover disease dish display
distance divide doctor document dollar dolphin domain donkey double dozen dragon drama drawer dream dress
drink driver dryer duck during dust duty eager eagle early earn earth easily eastern economy edge edition
editor educate effect effort eight either elbow elder elect electric element elephant eleven elite email
embrace emerge emotion employ empty enable energy engine enjoy enormous enough ensure enter entire entry
envelope equal equator error escape essay estate evening event evidence exact example excellent except
excess exchange excite exercise exhibit exist expand expect expert explain explore export express extend
extra fabric factor factory faculty fairy faith family famous fancy farmer fashion father fault favour
feather feature february federal feeling fellow female fence festival fiction field fifteen fight figure
final finance finger finish fiscal flame flavour flight float flood floor flour flower fluid focus follow
forest forget fork formal format fortune forty forward fossil fountain fragile frame freedom fresh friday
friend frozen fruit fuel function funny furniture future gallery garage garden garlic gather general
genius gentle genuine gesture giant ginger giraffe glass global glove golden gossip govern grace grain
grammar grand grape grass gravity great green grocery ground group growth guard guess guest guide guitar
habit hammer handle happen harbour hardly harvest hazard health heart heaven height helmet herself hidden
highway history hobby holiday hollow honest honey horizon horror horse hospital hotel hour house however
human humour hundred hunger hurry husband ideal identify ignore illegal image imagine impact import
improve include income increase indeed index indoor infant inform initial injury inner innocent insect
inside insist inspect install instance instead insult intend interest interior internal invest invite
island issue item jacket january jealous jewel journey judge juice jungle junior justice kettle keyboard
kidney kingdom kitchen kitten knife knight knowledge label labour ladder language laptop large laser later
laugh launch lawyer layer leader league leather lecture legal legend lemon length lesson letter level
liberty library license lifestyle light limit linen liquid listen little lively lizard lobster local
location lonely lottery loyal lucky luggage lunch machine magazine magic magnet maiden mammal manage
mango manner mansion marble margin market marriage master match material matter meadow measure medal
media medicine medium member memory mental mention menu merchant mercy message metal method middle
midnight might million mineral minute mirror miss mistake mixture mobile model modern moment monday
money monitor monkey monster month moral morning mosquito mother motion motor mountain mouse mouth movie
muscle museum music mutual mystery narrow nation native nature nearby needle negative neither nephew
nervous network neutral never newspaper night nobody noise normal north notebook nothing notice novel
number nurse object obtain obvious occasion ocean october offer office often olive onion online opera
opinion oppose option orange orbit orchard order organ origin orphan other outcome outdoor outside oven
owner oxygen oyster package paddle palace panel panic paper parade parent parking parrot partner party
passage passenger patch patient pattern pause peanut pebble pencil people pepper perfect period permit
person petrol phone photo phrase physical piano picnic picture piece pigeon pilot pioneer planet plastic
plate player pleasure plenty pocket poetry point police policy polite pollen popular portion position
potato pottery poverty powder power practice praise predict prefer prepare present pretty prevent price
pride primary prince print prison private prize problem process produce profit program project promise
proof proper protect proud provide public pudding pumpkin pupil puppy purple purpose puzzle pyramid
quality quarter queen question quick quiet rabbit radio railway rainbow random range rapid rather razor
ready reason recall receipt recipe record recover reduce reflect reform refuse region regular reject
relax release relief remain remember remote remove repair repeat reply report rescue resource respect
result retire return reveal review reward rhythm ribbon rifle right river road robot rocket romance rough
round route royal rubber rural saddle safety salad salmon sample sandwich satellite saturday sauce
sausage scale scatter scene scheme school science scissors screen script season second secret section
sector secure select senior sense sentence series service session settle seven shadow shallow shelter
sheriff shield shiver shoulder shower signal silence silver simple single sister sketch skill slender
slogan smooth snake soccer social soldier solid solution someone south space sparrow speaker special
speech spider spirit splendid sponsor spring square squirrel stable stadium staff stage stairs standard
station statue steady stomach storage strategy straw stream street strength strong student studio
subject submit subway success sudden sugar suggest summer sunday supper supply surface surgeon surprise
survey swallow sweater sweet swift symbol system table tablet tactic talent target teacher temple tenant
tender tennis theatre theory thirsty thousand thread throat thunder thursday ticket tiger timber tissue
title toast tobacco today together tomato tomorrow tongue tonight tooth topic total tourist towel tower
traffic tragic train transfer travel treasure treaty trophy trouble trumpet truth tuesday tunnel turkey
turtle twelve twenty typical umbrella uncle under uniform union unique universe unusual update upper
upset urban useful usual vacuum valley valuable vapour velvet vendor venture version vessel veteran
victory video village vinegar violin virtue visible vision visit visual vital voice volcano volume
voyage wagon waiter wallet walnut wander warning warrior weapon weather wedding weekend welcome western
whale wheat wheel whisper window winner winter wisdom witness wizard woman wonder wooden worker world
worry writer yellow yesterday young youth zebra zero
accommodation accomplishment acknowledgement administration advertisement agricultural
announcement anniversary appreciation appropriate approximately architecture arrangement assessment
assignment association atmosphere authorization automatically availability background basketball
beautifully biodiversity breakthrough broadcasting butterflies calculation championship characteristic
circumstances classification collaboration combination comfortable commercially communication
comparison compensation competition complicated comprehensive concentration confidential consciousness
consequently conservation considerable consideration constitution construction consultation
contemporary contribution controversial conversation cooperation coordination correspondence
craftsmanship dangerously decoration definitely demonstration department description determination
development dictionary disappointment discrimination distribution documentary electricity embarrassment
encouragement engineering enthusiastic entertainment environment environmental establishment
examination exceptionally experimental explanation extraordinary fashionable fingerprint firefighter
fluorescent friendship grandmother grasshopper handwriting headquarters hippopotamus housekeeping
hypothetical identification illustration imagination immediately implementation importantly
improvement independence independently individually industrialization infrastructure installation
institutional instructions intelligence intentionally interference international interpretation
introduction investigation irresponsible journalism kindergarten knowledgeable laboratory lighthouse
maintenance manufacturer mathematician measurement meteorologist microorganism microscopic
mischievous misunderstanding mountaineering multiplication neighbourhood nevertheless notwithstanding
nutritional observation occasionally opportunity organization overwhelming parliamentary participation
particularly performance personality philosophical photographer photosynthesis playground possibility
predominantly preparation presentation presidential professional programming pronunciation
psychological punctuation qualification questionnaire recommendation refrigerator relationship
remarkable representative reproduction requirement responsibility restaurant revolutionary
sophisticated spectacular straightforward strawberry subscription substantial successfully
superintendent supplementary surroundings sustainability sympathetic technological telecommunication
temperature thunderstorm traditionally transformation transportation troubleshooting uncomfortable
understanding unfortunately unpredictable vegetarian veterinarian vocabulary wheelbarrow whereabouts
wholeheartedly woodpecker workmanship
"""


def _build() -> tuple[str, ...]:
    words = {w for w in _RAW.split() if w.isalpha() and w.isascii() and w.islower()}
    return tuple(sorted(words))


WORDS: tuple[str, ...] = _build()
"""The sorted, de-duplicated word list (sorted so that seeded choices are identical everywhere)."""
