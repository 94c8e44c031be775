def check_answer(obj1, obj2, obj3):
    if obj1 == obj2 and obj1 == obj3:
        print("Correct")
    elif obj1 == obj2 and obj2 == obj3:
        print("Wrong: orange book")
    else:
        print("Wrong: gray book")

check_answer(None, None, None)
