import json

plan = [{"Agent[0.5, 0.5]": "move(box_red, square[1.5, 0.5])"}, {"Agent[1.5, 0.5]": "move(box_red, target_red)"}]
print("<<<" + json.dumps(plan) + ">>>")
