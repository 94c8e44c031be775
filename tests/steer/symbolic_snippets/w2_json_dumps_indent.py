import json

answer = {"round1": "Peng", "round2": "Pass"}
print("<<<" + json.dumps(answer, indent=2) + ">>>")
