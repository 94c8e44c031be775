result = [["A", "B"], ["C", "D"]]
print("<<<" + repr(result) + ">>>")
