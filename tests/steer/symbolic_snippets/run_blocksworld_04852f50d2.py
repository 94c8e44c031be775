# Define the initial state
initial_state = {
    "stack1": [],
    "stack2": [],
    "stack3": []
}

# Define the goal state
goal_state = {
    "stack1": [],
    "stack2": [],
    "stack3": []
}

# Define the goal state with the goal state
goal_state = {
    "stack1": [],
    "stack2": [],
    "stack3": []
}

# Define the goal state with the goal state
goal_state = {
    "stack1": [],
    "stack2": [],
    "stack3": []
}

# Define the goal state with the goal state
goal_state = {
    "stack1": [],
    "stack2": [],
    "stack3": []
}

# Define the goal state with the goal state
goal_
