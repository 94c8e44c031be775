assignment = {"Alice": "red", "Bob": "blue", "Carol": "green"}
print("<<<")
for person, colour in assignment.items():
    print(f"{person}: {colour}")
print(">>>")
