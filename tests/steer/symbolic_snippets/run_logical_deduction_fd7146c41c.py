def check_answer(obj1, obj2, obj3, obj4, obj5):
    if obj1 == obj2 and obj1 == obj3 and obj2 == obj4 and obj3 == obj5:
        print("Correct")
    elif obj1 == obj2 and obj2 == obj3 and obj3 == obj4 and obj4 == obj5:
        print("Wrong")
    else:
        print("Wrong")

check_answer(None, None, None, None, None)
