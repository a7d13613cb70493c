package demodata

// category is a product category and the noun its product names use.
type category struct {
	name, noun string
	basePrice  float64 // typical list price in EUR
}

// categories are the 40 product categories of the demo catalog.
var categories = [...]category{
	{"books", "Novel", 18}, {"ebooks", "E-Book", 9}, {"music", "Album", 15}, {"movies", "Blu-ray", 20},
	{"video_games", "Game", 55}, {"consoles", "Console", 420}, {"computers", "Laptop", 950}, {"tablets", "Tablet", 380},
	{"phones", "Smartphone", 640}, {"phone_accessories", "Phone Case", 19}, {"cameras", "Camera", 700}, {"audio", "Headphones", 120},
	{"tv", "Television", 780}, {"smart_home", "Smart Plug", 35}, {"office", "Desk Lamp", 45}, {"stationery", "Notebook", 7},
	{"furniture", "Chair", 240}, {"kitchen", "Pan", 48}, {"appliances", "Blender", 95}, {"home_decor", "Vase", 32},
	{"bedding", "Duvet", 70}, {"bath", "Towel Set", 29}, {"garden", "Hose", 38}, {"tools", "Drill", 110},
	{"automotive", "Car Charger", 26}, {"sports", "Yoga Mat", 30}, {"outdoor", "Tent", 160}, {"cycling", "Bike Light", 34},
	{"fitness", "Dumbbell", 42}, {"toys", "Puzzle", 22}, {"baby", "Stroller", 290}, {"pet_supplies", "Dog Bed", 45},
	{"beauty", "Face Cream", 24}, {"health", "Vitamins", 16}, {"grocery", "Coffee Beans", 12}, {"beverages", "Green Tea", 8},
	{"clothing", "Jacket", 85}, {"shoes", "Sneakers", 95}, {"jewelry", "Necklace", 130}, {"watches", "Watch", 210},
}

var brands = [...]string{
	"Acme", "Northwind", "Contoso", "Fabrikam", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli",
	"Vandelay", "Tyrell", "Cyberdyne", "Soylent", "Massive", "Aperture", "Gringotts", "Monarch", "Oscorp", "Wonka",
	"Sirius", "Zenith", "Polaris", "Nimbus", "Kestrel", "Lumen", "Orbit", "Quartz", "Tundra", "Verdant",
}

var adjectives = [...]string{
	"Classic", "Compact", "Deluxe", "Eco", "Essential", "Flex", "Lite", "Max", "Mini", "Nova",
	"Premium", "Pro", "Prime", "Pure", "Smart", "Sport", "Studio", "Ultra", "Urban", "Vintage",
}

var firstNames = [...]string{
	"Anna", "Ben", "Carla", "David", "Elena", "Felix", "Grace", "Hugo", "Ines", "Jonas",
	"Kai", "Laura", "Mateo", "Nora", "Oscar", "Paula", "Quentin", "Rosa", "Samuel", "Tara",
	"Umar", "Vera", "William", "Xenia", "Yusuf", "Zoe", "Aiko", "Bruno", "Chen", "Diego",
	"Emma", "Farah", "Giulia", "Hiro", "Isabel", "Jamal", "Kenji", "Lucia", "Marta", "Noah",
	"Olga", "Priya", "Rafael", "Sofia", "Tomas", "Valentina", "Wei", "Yara", "Lea", "Sven",
}

var lastNames = [...]string{
	"Schmidt", "Martin", "Garcia", "Rossi", "Novak", "Jansen", "Andersson", "Kowalski", "Dubois", "Muller",
	"Smith", "Johnson", "Brown", "Wilson", "Taylor", "Lee", "Kim", "Tanaka", "Sato", "Singh",
	"Patel", "Nguyen", "Wang", "Silva", "Santos", "Oliveira", "Fernandez", "Lopez", "Gonzalez", "Costa",
	"Meyer", "Weber", "Fischer", "Moreau", "Bernard", "Bianchi", "Romano", "Horvat", "Berg", "Nielsen",
	"Murphy", "Kelly", "Walsh", "Okafor", "Mensah", "Haddad", "Cohen", "Ivanova", "Petrov", "Yilmaz",
}

// country is a billing country with its sales region and its share of customers.
type country struct {
	code, region string
	weight       int
}

var countries = [...]country{
	{"DE", "EU", 14}, {"FR", "EU", 10}, {"ES", "EU", 7}, {"IT", "EU", 7}, {"NL", "EU", 4},
	{"SE", "EU", 3}, {"PL", "EU", 4}, {"AT", "EU", 2}, {"IE", "EU", 2}, {"US", "NA", 20},
	{"CA", "NA", 5}, {"JP", "APAC", 5}, {"AU", "APAC", 3}, {"IN", "APAC", 4}, {"SG", "APAC", 1},
	{"KR", "APAC", 2}, {"BR", "LATAM", 4}, {"MX", "LATAM", 2}, {"AR", "LATAM", 1},
}

// segments and their shares of customers, in percent.
var segments = [...]struct {
	name  string
	share int
}{{"consumer", 80}, {"small_business", 15}, {"enterprise", 5}}
