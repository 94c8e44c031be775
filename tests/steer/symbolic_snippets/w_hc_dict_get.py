lookup = {"web_of_lies": "No", "navigate": "Yes"}
print("<<<" + lookup.get("navigate", "Unknown") + ">>>")
