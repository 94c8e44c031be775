def solution():
    data = {"rounds": {"final": 2}}
    return data["rounds"]["final"]

print(f"<<<{solution()}>>>")
